"""Calendar feeds: the data of every active series (with cancelled/skipped dates) and, for a
person's private feed, their bookings. Rendering to iCalendar happens at the HTTP edge.

A cancelled or skipped occurrence is excluded by the wall time the rule gives it (EXDATE names the
rule's instance, also when that wall time falls in a spring-forward gap); a series whose rule cannot
be expanded is left out of the feed (the sweep reports it to the moderators)."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.program.events import expandable, recurrence
from bot.program.ports import Clock
from bot.program.recurrence import normalise_rrule
from storage.models_events import CalendarToken
from storage.uow import UnitOfWork


@dataclass(frozen=True)
class SeriesFeed:
    key: str
    title: str
    rrule: str
    start_local: str
    timezone: str
    duration_minutes: int
    link: str
    excluded: tuple[datetime, ...]  # rule wall times (naive, in `timezone`) of cancelled/skipped ones


@dataclass(frozen=True)
class BookingFeed:
    booking_id: int
    title: str
    start: datetime
    minutes: int
    link: str


@dataclass(frozen=True)
class Feed:
    series: tuple[SeriesFeed, ...]
    bookings: tuple[BookingFeed, ...] = field(default_factory=tuple)
    now: datetime | None = None  # when it was read: the timezone rules are written from here on


class CalendarService:
    def __init__(self, uow: Callable[[], UnitOfWork], clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def token_for(self, slack_user_id: str) -> str:
        async with self._uow() as uow:
            row = await uow.calendar.token_for(slack_user_id)
            if row is None:
                row = CalendarToken(
                    slack_user_id=slack_user_id, token=secrets.token_urlsafe(24), created_at=self._clock.now()
                )
                await uow.calendar.add_token(row)
            return row.token

    async def feed(self, token: str | None = None) -> Feed | None:
        """None when the private token is unknown."""
        async with self._uow() as uow:
            user = None
            if token is not None:
                user = await uow.calendar.user_for_token(token)
                if user is None:
                    return None
            series = []
            for s in await uow.calendar.active_series():
                if not expandable(s):
                    continue
                rule = recurrence(s)
                walls = []
                for at in sorted(await uow.calendar.overrides(s.id)):
                    found = rule.at(at)
                    if found is not None:  # an override of an occurrence the rule no longer has: moot
                        walls.append(found.wall)
                series.append(
                    SeriesFeed(
                        s.key,
                        s.title,
                        normalise_rrule(s.rrule),  # as checked today, whatever form it was stored in
                        s.start_local,
                        s.timezone,
                        s.duration_minutes,
                        s.link,
                        tuple(walls),
                    )
                )
            bookings: list[BookingFeed] = []
            if user is not None:
                now = self._clock.now()
                for b in await uow.calendar.bookings_of(user, now - timedelta(days=30)):
                    owner = await uow.calendar.series(b.series_id)
                    if owner is not None:
                        bookings.append(
                            BookingFeed(
                                b.id,
                                f"Office hours: {owner.title}",
                                b.slot_start,
                                owner.slot_minutes or 0,
                                owner.link,
                            )
                        )
            return Feed(tuple(series), tuple(bookings), self._clock.now())
