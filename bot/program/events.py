"""Event series: occurrences in their own timezone, cancellations, RSVPs and office-hours bookings.

Occurrences are computed from the RRULE on the series' local wall time, so "17:00 Europe/London"
stays 17:00 local across daylight-saving changes (gaps and overlaps: see bot/program/recurrence.py).
The database stores instants in UTC.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

from bot.config import EventSettings
from bot.program import outbox
from bot.program.errors import Conflict, InvalidInput, NotFound
from bot.program.permissions import GuardedService, Permission, Subject
from bot.program.recurrence import Instance, Recurrence, RecurrenceError
from storage.enums import BookingStatus, EventSeriesStatus, OccurrenceStatus, Platform
from storage.events import Booking, EventSeries, OccurrenceOverride
from storage.uow import UnitOfWork

ANSWERS = ("going", "maybe", "no")


def series_tz(series: EventSeries) -> ZoneInfo:
    return ZoneInfo(series.timezone)


def recurrence(series: EventSeries) -> Recurrence:
    """The series' rule in its timezone; RecurrenceError when it cannot be expanded (a row written
    before the rule was validated as it is now)."""
    return Recurrence(series.rrule, series.start_local, series.timezone)


def instances(series: EventSeries, start: datetime, end: datetime) -> list[Instance]:
    """Occurrences (rule wall time and UTC instant) in [start, end)."""
    return recurrence(series).instances(start, end)


def occurrences(series: EventSeries, start: datetime, end: datetime) -> list[datetime]:
    """Occurrence starts (UTC) in [start, end)."""
    return [i.start for i in instances(series, start, end)]


def on_local_date(series: EventSeries, day: date) -> Instance | None:
    """The series' occurrence on a date of its own timezone, or None: what cancel and skip act on."""
    return recurrence(series).on_local_date(day)


def expandable(series: EventSeries) -> bool:
    try:
        recurrence(series)
    except RecurrenceError:
        return False
    return True


def occurrence_key(occ: datetime) -> str:
    return occ.astimezone(UTC).strftime("%Y%m%dT%H%MZ")


def parse_occurrence_key(text: str) -> datetime:
    return datetime.strptime(text, "%Y%m%dT%H%MZ").replace(tzinfo=UTC)


@dataclass(frozen=True)
class Occurrence:
    series_id: int
    series_key: str
    title: str
    kind: str
    start: datetime  # UTC
    end: datetime
    timezone: str
    link: str
    host: str | None
    status: str  # scheduled | cancelled | skipped


@dataclass(frozen=True)
class Slot:
    series_id: int
    title: str
    start: datetime
    minutes: int
    host: str | None


@dataclass(frozen=True)
class BookingResult:
    booking_id: int
    title: str
    start: datetime
    minutes: int
    host: str | None


class EventService(GuardedService):
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
            for s in await uow.calendar.active_series():
                if not expandable(s):
                    continue  # reported to the moderators by the sweep; the others are listed
                overrides = await uow.calendar.overrides(s.id)
                for occ in occurrences(s, now, now + timedelta(days=days)):
                    out.append(
                        Occurrence(
                            s.id,
                            s.key,
                            s.title,
                            s.kind,
                            occ,
                            occ + timedelta(minutes=s.duration_minutes),
                            s.timezone,
                            s.link,
                            s.host_slack_id,
                            overrides.get(occ, OccurrenceStatus.SCHEDULED),
                        )
                    )
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
            series = await uow.calendar.series_by_key(key)
            if series is None:
                raise NotFound(f"There is no event series {key!r}. `/ambassador events` lists them.")
            try:
                found = on_local_date(series, wanted)
            except RecurrenceError:
                raise Conflict(
                    f"{series.title} has a rule the bot cannot expand; fix it with `event edit {key}`."
                ) from None
            if found is None:
                raise NotFound(f"{series.title} has no occurrence on {wanted:%A %d %B %Y}.")
            occ = found.start
            if occ < now:
                raise Conflict("That occurrence is already in the past.")
            if not await uow.calendar.add_override(
                OccurrenceOverride(
                    series_id=series.id,
                    occurrence_start=occ,
                    status=status,
                    reason=reason,
                    created_by=actor,
                    created_at=now,
                )
            ):
                raise Conflict("That occurrence is already cancelled or skipped.")
            await uow.audit.record(
                at=now,
                actor=actor,
                platform=Platform.SLACK,
                action=f"event.{status}",
                subject_type="event_series",
                subject_id=series.key,
                after={"occurrence": occ.isoformat(), "reason": reason},
            )
            if status == OccurrenceStatus.CANCELLED and series.slack_channel:
                await outbox.queue(
                    uow,
                    f"event-cancelled:{series.id}:{occurrence_key(occ)}",
                    outbox.SLACK_POST,
                    {
                        "channel": series.slack_channel,
                        "template": "event_cancelled",
                        "data": {
                            "title": series.title,
                            "start": occ.isoformat(),
                            "timezone": series.timezone,
                            "reason": reason,
                        },
                    },
                    now,
                )
            result = Occurrence(
                series.id,
                series.key,
                series.title,
                series.kind,
                occ,
                occ + timedelta(minutes=series.duration_minutes),
                series.timezone,
                series.link,
                series.host_slack_id,
                status,
            )
        self._signal.kick()
        return result

    async def save_series(self, actor: str, fields: dict[str, str], key: str | None = None) -> EventSeries:
        """Add (key None) or edit a series from the Slack form; validated like config.toml."""
        try:
            e = EventSettings.model_validate(
                {
                    "key": (fields.get("key") or key or "").strip().lower(),
                    "title": (fields.get("title") or "").strip(),
                    "kind": (fields.get("kind") or "meetup").strip(),
                    "rrule": (fields.get("rrule") or "").strip(),
                    "start": (fields.get("start") or "").strip().replace(" ", "T"),
                    "timezone": (fields.get("timezone") or "").strip(),
                    "duration_minutes": int((fields.get("duration_minutes") or "60").strip() or 60),
                    "link": (fields.get("link") or "").strip(),
                    "host": (fields.get("host") or "").strip(),
                    "slack_channel": (fields.get("slack_channel") or "").strip(),
                    "reminders": tuple(
                        x.strip() for x in (fields.get("reminders") or "7d,1d,1h").split(",") if x.strip()
                    ),
                    "slot_minutes": int(fields["slot_minutes"])
                    if (fields.get("slot_minutes") or "").strip()
                    else None,
                }
            )
        except ValueError as err:
            raise InvalidInput("Some fields need fixing.", _field_errors(err)) from None
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
                before = {"rrule": series.rrule, "start": series.start_local, "timezone": series.timezone}
                self._apply(series, e)
                series.source, series.updated_at = "slack", now
            await uow.audit.record(
                at=now,
                actor=actor,
                platform=Platform.SLACK,
                action="event.saved",
                subject_type="event_series",
                subject_id=series.key,
                before=before,
                after={"rrule": series.rrule, "start": series.start_local, "timezone": series.timezone},
            )
            return series

    async def series_fields(self, key: str) -> dict[str, str]:
        async with self._uow() as uow:
            s = await uow.calendar.series_by_key(key)
            if s is None:
                raise NotFound(f"There is no event series {key!r}.")
            return {
                "key": s.key,
                "title": s.title,
                "kind": s.kind,
                "rrule": s.rrule,
                "start": s.start_local,
                "timezone": s.timezone,
                "duration_minutes": str(s.duration_minutes),
                "link": s.link,
                "host": s.host_slack_id or "",
                "slack_channel": s.slack_channel or "",
                "reminders": ",".join(_offset_text(m) for m in s.reminder_offsets),
                "slot_minutes": str(s.slot_minutes or ""),
            }

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

    # -- office hours ---------------------------------------------------------------------------

    async def free_slots(self, days: int = 14, limit: int = 12) -> list[Slot]:
        now = self._clock.now()
        slots: list[Slot] = []
        async with self._uow() as uow:
            for s in await uow.calendar.active_series():
                if s.kind != "office_hours" or not s.slot_minutes or not expandable(s):
                    continue
                overrides = await uow.calendar.overrides(s.id)
                for occ in occurrences(s, now, now + timedelta(days=days)):
                    if occ in overrides:
                        continue
                    end = occ + timedelta(minutes=s.duration_minutes)
                    taken = {b.slot_start for b in await uow.calendar.active_bookings(s.id, occ, end)}
                    t = occ
                    while t + timedelta(minutes=s.slot_minutes) <= end:
                        if t > now and t not in taken:
                            slots.append(Slot(s.id, s.title, t, s.slot_minutes, s.host_slack_id))
                        t += timedelta(minutes=s.slot_minutes)
        slots.sort(key=lambda x: x.start)
        return slots[:limit]

    async def book(self, user: str, series_id: int, slot_start: datetime) -> BookingResult:
        now = self._clock.now()
        async with self._uow() as uow:
            s = await uow.calendar.series(series_id)
            if s is None or s.kind != "office_hours" or not s.slot_minutes or not expandable(s):
                raise NotFound("Those office hours no longer exist.")
            if slot_start <= now:
                raise Conflict("That slot has already started.")
            session = _session_of(s, slot_start)
            if (
                session is None
                or not _is_slot(s, slot_start)
                or session in await uow.calendar.overrides(s.id)
            ):
                raise NotFound(
                    "That slot is not offered (any more). `/ambassador office-hours` lists free ones."
                )
            if [
                b
                for b in await uow.calendar.bookings_of(user, now)
                if b.series_id == s.id and _session_of(s, b.slot_start) == _session_of(s, slot_start)
            ]:
                raise Conflict("You already have a slot in that session.")
            booking = Booking(
                series_id=s.id,
                slot_start=slot_start,
                active_slot=slot_start.isoformat(),
                slack_user_id=user,
                status=BookingStatus.BOOKED,
                created_at=now,
            )
            if not await uow.calendar.book(booking):
                raise Conflict("Sorry, someone booked that slot a moment ago. Pick another one.")
            data = {
                "title": s.title,
                "start": slot_start.isoformat(),
                "minutes": s.slot_minutes,
                "timezone": s.timezone,
                "link": s.link,
                "host": s.host_slack_id,
                "person": user,
                "booking_id": booking.id,
            }
            await outbox.queue(
                uow,
                f"booking:{booking.id}:confirm-person",
                outbox.SLACK_DM,
                {"user": user, "template": "booking_confirmed", "data": data},
                now,
            )
            if s.host_slack_id:
                await outbox.queue(
                    uow,
                    f"booking:{booking.id}:confirm-host",
                    outbox.SLACK_DM,
                    {"user": s.host_slack_id, "template": "booking_for_host", "data": data},
                    now,
                )
            await uow.audit.record(
                at=now,
                actor=user,
                platform=Platform.SLACK,
                action="booking.created",
                subject_type="event_series",
                subject_id=s.key,
                after={"slot": slot_start.isoformat(), "booking": booking.id},
            )
            result = BookingResult(booking.id, s.title, slot_start, s.slot_minutes, s.host_slack_id)
        self._signal.kick()
        return result

    async def cancel_booking(self, user: str, booking_id: int) -> BookingResult:
        now = self._clock.now()
        async with self._uow() as uow:
            b = await uow.calendar.booking(booking_id)
            if b is None or b.slack_user_id != user:
                raise NotFound("You have no such booking.")
            s = await uow.calendar.series(b.series_id)
            assert s is not None
            if not await uow.calendar.cancel_booking(booking_id, now):
                raise Conflict("That booking was already cancelled.")
            data = {
                "title": s.title,
                "start": b.slot_start.isoformat(),
                "timezone": s.timezone,
                "person": user,
            }
            if s.host_slack_id:
                await outbox.queue(
                    uow,
                    f"booking:{b.id}:cancel-host",
                    outbox.SLACK_DM,
                    {"user": s.host_slack_id, "template": "booking_cancelled", "data": data},
                    now,
                )
            await uow.audit.record(
                at=now,
                actor=user,
                platform=Platform.SLACK,
                action="booking.cancelled",
                subject_type="event_series",
                subject_id=s.key,
                before={"booking": b.id},
            )
            result = BookingResult(b.id, s.title, b.slot_start, s.slot_minutes or 0, s.host_slack_id)
        self._signal.kick()
        return result

    async def my_bookings(self, user: str) -> list[BookingResult]:
        now = self._clock.now()
        async with self._uow() as uow:
            out = []
            for b in await uow.calendar.bookings_of(user, now):
                s = await uow.calendar.series(b.series_id)
                if s is not None:
                    out.append(
                        BookingResult(b.id, s.title, b.slot_start, s.slot_minutes or 0, s.host_slack_id)
                    )
            return out


def _session_of(s: EventSeries, slot_start: datetime) -> datetime | None:
    for occ in occurrences(
        s, slot_start - timedelta(minutes=s.duration_minutes), slot_start + timedelta(minutes=1)
    ):
        if occ <= slot_start < occ + timedelta(minutes=s.duration_minutes):
            return occ
    return None


def _is_slot(s: EventSeries, slot_start: datetime) -> bool:
    occ = _session_of(s, slot_start)
    if occ is None or not s.slot_minutes:
        return False
    offset = (slot_start - occ).total_seconds() / 60
    return offset % s.slot_minutes == 0 and offset + s.slot_minutes <= s.duration_minutes


def _offset_text(minutes: int) -> str:
    if minutes % 1440 == 0:  # whole days count as calendar days (bot/program/recurrence.py)
        return f"{minutes // 1440}d"
    if minutes % 60 == 0:
        return f"{minutes // 60}h"
    return f"{minutes}m"


def _field_errors(err: ValueError) -> dict[str, str]:
    errors: dict[str, str] = {}
    for item in getattr(err, "errors", lambda: [])():
        loc = str(item["loc"][0]) if item.get("loc") else "title"
        field = {"start": "start", "duration_minutes": "duration_minutes", "reminders": "reminders"}.get(
            loc, loc
        )
        errors[field] = re.sub(r"^Value error, ", "", str(item["msg"]))
    if not errors:
        errors["title"] = str(err)
    return errors
