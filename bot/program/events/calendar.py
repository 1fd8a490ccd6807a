"""Calendar feeds: the data of every active series (with cancelled/skipped dates) and, for a
person's private feed, their bookings. Rendering to iCalendar happens at the HTTP edge.

A cancelled or skipped occurrence is excluded by the wall time the rule gives it (EXDATE names the
rule's instance, also when that wall time falls in a spring-forward gap); a series whose rule cannot
be expanded is left out of the feed (the sweep reports it to the moderators)."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.program.events.recurrence import normalise_rrule
from bot.program.events.series import expandable, recurrence
from bot.program.ports import Clock
from storage.enums import Platform
from storage.events import CalendarToken
from storage.uow import UnitOfWork


def new_token() -> str:
    return secrets.token_urlsafe(24)


def token_hash(token: str) -> str:
    """What is stored of a private feed token (as of link codes, bot.program.linking): the token
    carries 192 random bits, so a plain SHA-256 cannot be reversed or guessed, and a copy of the
    database (a backup, a leak) opens nobody's feed. Migration 0008 hashes older tokens the same way."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class PrivateAddress:
    token: str | None  # only when the address was made just now: it is not kept anywhere
    created_at: datetime


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

    async def private_address(self, slack_user_id: str) -> PrivateAddress:
        """The person's private feed: its token when it is made now, else only when it was made."""
        async with self._uow() as uow:
            row = await uow.calendar.token_for(slack_user_id)
            if row is not None:
                return PrivateAddress(None, row.created_at)
            token, now = new_token(), self._clock.now()
            made = await uow.calendar.add_token(
                CalendarToken(slack_user_id=slack_user_id, token_hash=token_hash(token), created_at=now)
            )
            return PrivateAddress(token if made else None, now)

    async def reset(self, slack_user_id: str) -> str:
        """A new private feed token; the old one stops working at once."""
        token, now = new_token(), self._clock.now()
        async with self._uow() as uow:
            had_one = await uow.calendar.replace_token(slack_user_id, token_hash(token), now)
            if not had_one and not await uow.calendar.add_token(
                CalendarToken(slack_user_id=slack_user_id, token_hash=token_hash(token), created_at=now)
            ):  # made by a request at the same moment: replace that one
                await uow.calendar.replace_token(slack_user_id, token_hash(token), now)
            await uow.audit.record(
                at=now,
                actor=slack_user_id,
                platform=Platform.SLACK,
                action="calendar.reset",
                subject_type="calendar_feed",
                subject_id=slack_user_id,
                after={"replaced": had_one},
            )
        return token

    async def feed(self, token: str | None = None) -> Feed | None:
        """None when the private token is unknown."""
        async with self._uow() as uow:
            user = None
            if token is not None:
                user = await uow.calendar.user_for_token_hash(token_hash(token))
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
