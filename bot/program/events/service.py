"""`EventService`: series from config.toml and from the Slack form, the upcoming occurrences,
moderators' cancelling and skipping, and RSVPs; office-hours bookings come from `OfficeHours`
(bot/program/events/office_hours.py)."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta
from functools import cached_property

from bot.config import EventSettings
from bot.program import outbox
from bot.program.errors import Conflict, InvalidInput, NotFound
from bot.program.events.messages import EventCancelled
from bot.program.events.office_hours import OfficeHours
from bot.program.events.recurrence import RecurrenceError
from bot.program.events.series import (
    Occurrence,
    ahead,
    audit_series,
    expandable,
    form_fields,
    occurrence_key,
    occurrences,
    on_local_date,
    settings_from_form,
)
from bot.program.permissions import Permission, Subject
from storage.enums import EventSeriesStatus, OccurrenceStatus
from storage.events import EventSeries, OccurrenceOverride
from storage.uow import UnitOfWork

ANSWERS = ("going", "maybe", "no")


class EventService(OfficeHours):
    @cached_property
    def _rsvp_locks(self) -> dict[tuple[int, datetime], asyncio.Lock]:
        return {}

    # -- series from config ------------------------------------------------------------------

    def _apply(self, series: EventSeries, e: EventSettings) -> None:
        series.title, series.kind, series.rrule = e.title, e.kind, e.rrule
        series.start_local, series.timezone = e.start, e.timezone
        series.duration_minutes, series.link = e.duration_minutes, e.link
        series.host_slack_id = e.host or None
        series.slack_channel = e.slack_channel or self._settings.slack.ambassador_channel or None
        series.forum_topic_id, series.reminder_offsets = e.forum_topic_id, e.offsets_minutes
        series.slot_minutes = e.slot_minutes

    async def sync_config(self) -> int:
        """Create or update the series defined in config.toml (edits made in Slack are kept for
        series created in Slack)."""
        now = self._clock.now()
        async with self._uow() as uow:
            for e in self._settings.events:
                series = await uow.calendar.series_by_key(e.key)
                if series is None:
                    series = EventSeries(
                        key=e.key, source="config", status=EventSeriesStatus.ACTIVE, created_at=now
                    )
                    self._apply(series, e)
                    if await uow.calendar.add_series_once(series):
                        continue
                    # Another replica starting at the same moment added it first: update that one.
                    series = await uow.calendar.series_by_key(e.key)
                    if series is None:
                        continue
                if series.source == "config":
                    self._apply(series, e)
                    series.status, series.updated_at = EventSeriesStatus.ACTIVE, now
        return len(self._settings.events)

    # -- reading -------------------------------------------------------------------------------

    async def upcoming(self, days: int = 60, limit: int = 10) -> list[Occurrence]:
        now = self._clock.now()
        out: list[Occurrence] = []
        async with self._uow() as uow:
            for s, overrides, starts in await ahead(uow, now, days):
                for occ in starts:
                    out.append(Occurrence.of(s, occ, overrides.get(occ, OccurrenceStatus.SCHEDULED)))
        out.sort(key=lambda o: (o.start, o.series_key))
        return out[:limit]

    # -- moderators: cancel / skip / add / edit ----------------------------------------------

    async def _moderator(self, uow: UnitOfWork, actor: str, action: str, subject: str) -> None:
        await self._guard.require(actor, Permission.EVENT_MANAGE, Subject(subject, action=action))

    async def check_moderator(self, actor: str, action: str, subject: str) -> None:
        """Refuse (and audit the refusal) unless `actor` is a moderator: for the forms that open
        before any change is made (`event add`, `event edit`)."""
        async with self._uow() as uow:
            await self._moderator(uow, actor, action, subject)

    async def _series(self, uow: UnitOfWork, key: str) -> EventSeries:
        series = await uow.calendar.series_by_key(key)
        if series is None:
            raise NotFound(f"There is no event series {key!r}. `/ambassador events` lists them.")
        return series

    @staticmethod
    def _occurrence_on(series: EventSeries, wanted: date, now: datetime) -> datetime:
        """The start of the series' future occurrence on `wanted` (its own timezone's date)."""
        try:
            found = on_local_date(series, wanted)
        except RecurrenceError:
            raise Conflict(
                f"{series.title} has a rule the bot cannot expand; fix it with `event edit {series.key}`."
            ) from None
        if found is None:
            raise NotFound(f"{series.title} has no occurrence on {wanted:%A %d %B %Y}.")
        if found.start < now:
            raise Conflict("That occurrence is already in the past.")
        return found.start

    async def change_occurrence(
        self, actor: str, key: str, day: str, status: str, reason: str = ""
    ) -> Occurrence:
        """Cancel (people are told) or skip (quietly) the occurrence of series `key` on `day`."""
        try:
            wanted = date.fromisoformat(day)
        except ValueError:
            raise InvalidInput(f"{day!r} is not a date like 2026-03-05.") from None
        now = self._clock.now()
        async with self._uow() as uow:
            await self._moderator(uow, actor, f"event.{status}", key)
            series = await self._series(uow, key)
            occ = self._occurrence_on(series, wanted, now)
            override = OccurrenceOverride(
                series_id=series.id,
                occurrence_start=occ,
                status=status,
                reason=reason,
                created_by=actor,
                created_at=now,
            )
            if not await uow.calendar.add_override(override):
                raise Conflict("That occurrence is already cancelled or skipped.")
            after = {"occurrence": occ.isoformat(), "reason": reason}
            await audit_series(uow, now, actor, f"event.{status}", series.key, after=after)
            if status == OccurrenceStatus.CANCELLED and series.slack_channel:
                told = EventCancelled(series.title, occ, series.timezone, reason)
                told_key = f"event-cancelled:{series.id}:{occurrence_key(occ)}"
                await outbox.post(uow, told_key, series.slack_channel, told, now)
            result = Occurrence.of(series, occ, status)
        self._signal.kick()
        return result

    async def save_series(self, actor: str, fields: dict[str, str], key: str | None = None) -> EventSeries:
        """Add (key None) or edit a series from the Slack form; validated like config.toml."""
        e = settings_from_form(fields, key)
        now = self._clock.now()
        async with self._uow() as uow:
            await self._moderator(uow, actor, "event.save", e.key)
            series = await uow.calendar.series_by_key(e.key)
            if key is None and series is not None:
                raise InvalidInput("That key is taken.", {"key": f"There is already a series {e.key!r}."})
            before = None
            if series is None:
                series = EventSeries(
                    key=e.key, source="slack", status=EventSeriesStatus.ACTIVE, created_at=now
                )
                self._apply(series, e)
                await uow.calendar.add_series(series)
            else:
                before = _rule_of(series)
                self._apply(series, e)
                series.source, series.updated_at = "slack", now
            await audit_series(
                uow, now, actor, "event.saved", series.key, before=before, after=_rule_of(series)
            )
            return series

    async def series_fields(self, key: str) -> dict[str, str]:
        async with self._uow() as uow:
            s = await uow.calendar.series_by_key(key)
            if s is None:
                raise NotFound(f"There is no event series {key!r}.")
            return form_fields(s)

    # -- RSVP ----------------------------------------------------------------------------------

    def rsvp_lock(self, series_id: int, occ: datetime) -> asyncio.Lock:
        """Answers to one occurrence are recorded and shown one at a time in this process, so the
        counts on the message never go backwards."""
        key = (series_id, occ)
        if key not in self._rsvp_locks:
            self._rsvp_locks[key] = asyncio.Lock()
        return self._rsvp_locks[key]

    async def rsvp(self, user: str, series_id: int, occ: datetime, answer: str) -> dict[str, int]:
        if answer not in ANSWERS:
            raise InvalidInput(f"Answer with one of {', '.join(ANSWERS)}.")
        now = self._clock.now()
        async with self._uow() as uow:
            series = await uow.calendar.series(series_id)
            if (
                series is None
                or not expandable(series)
                or occ not in occurrences(series, occ, occ + timedelta(minutes=1))
            ):
                raise NotFound("That event no longer exists.")
            if (await uow.calendar.overrides(series_id)).get(occ) == OccurrenceStatus.CANCELLED:
                raise Conflict("That occurrence was cancelled.")
            if occ + timedelta(minutes=series.duration_minutes) < now:
                raise Conflict("That event is over.")
            await uow.calendar.set_rsvp(series_id, occ, user, answer, now)
            return await uow.calendar.rsvp_counts(series_id, occ)

    async def rsvp_counts(self, series_id: int, occ: datetime) -> dict[str, int]:
        async with self._uow() as uow:
            return await uow.calendar.rsvp_counts(series_id, occ)


def _rule_of(series: EventSeries) -> dict[str, str]:
    """What the audit keeps of a series' schedule."""
    return {"rrule": series.rrule, "start": series.start_local, "timezone": series.timezone}
