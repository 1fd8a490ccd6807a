"""The sweep's due-finders of events: reminders of each occurrence at the series' offsets (in
Slack, and in the series' forum topic when it has one), the moderators' note about a series whose
rule cannot be expanded, and reminders of booked office-hours slots to the person and the host.

Only the series whose next reminder moment (`event_series.next_reminder_at`, indexed) has come are
expanded; once what was due is decided the moment moves on to the series' next reminder. Any edit
of a series marks it to be looked at again; a cancelled or skipped occurrence only makes a moment
come early (it finds nothing and moves on)."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from bot.config import parse_offset
from bot.program import outbox
from bot.program.events.messages import BookingReminder, EventReminder, ForumEventReminder
from bot.program.events.recurrence import Recurrence, RecurrenceError, reminder_due
from bot.program.events.series import occurrence_key, recurrence
from bot.program.messages import Notice
from bot.program.reminders.due import FOREVER, LOOKBACK, Batchable, Due, Reading, Send, dm, post
from storage.enums import OccurrenceStatus
from storage.events import Booking, EventSeries
from storage.uow import UnitOfWork

log = logging.getLogger("ambassador_bot.reminders")


async def event_reminders(reading: Reading, now: datetime) -> AsyncIterator[Due]:
    async with reading.uow() as uow:
        series_list = list(await uow.calendar.series_due(now, reading.every))
        overrides = {s.id: await uow.calendar.overrides(s.id) for s in series_list}
    moves: list[tuple[EventSeries, datetime | None]] = []
    found: list[Due] = []
    for s in series_list:
        try:
            rule = recurrence(s)
        except RecurrenceError as err:
            broken = await _report_broken(reading, s, str(err), now)
            if broken is None:
                moves.append((s, None))  # reported already: looked at again once edited
            else:
                found.append(replace(broken, settle=_SettleSeries(s, (broken.key,), None)))
            continue
        if not s.reminder_offsets or not s.slack_channel:
            moves.append((s, None))  # nothing to remind of until the series is edited
            continue
        try:
            dues = _series_reminders(reading, s, rule, overrides[s.id], now)
            then = _next_reminder(s, rule, overrides[s.id], now)
        except Exception as err:  # one series' failure must not stop the others' reminders
            log.error("reminders of event series %s failed: %s", s.key, type(err).__name__)
            continue  # still due: tried again next sweep
        # The reminders of the look-back window decided already are left out in one query.
        todo = await reading.undecided([due.key for due in dues])
        if not todo:
            if then != s.next_reminder_at:
                moves.append((s, then))
            continue
        settle = _SettleSeries(s, tuple(due.key for due in dues), then)
        found += [replace(due, settle=settle) for due in dues if due.key in todo]
    if moves:
        await reading.write(lambda uow: uow.calendar.advance_series(moves))
    for due in found:
        yield due


@dataclass(frozen=True, eq=False)
class _SettleSeries(Batchable):
    """Once every due reminder of the series is decided, move it on to its next reminder (in the
    deciding transaction: one that failed leaves the series due, to be tried again)."""

    series: EventSeries
    keys: tuple[str, ...]
    then: datetime | None

    @classmethod
    async def run_all(cls, uow: UnitOfWork, items: Sequence[_SettleSeries]) -> None:
        decided = await uow.calendar.decided([k for item in items for k in item.keys])
        moves = [(item.series, item.then) for item in items if decided.issuperset(item.keys)]
        if moves:
            await uow.calendar.advance_series(moves)


def _next_reminder(
    s: EventSeries, rule: Recurrence, overrides: dict[datetime, str], now: datetime
) -> datetime | None:
    """The series' first reminder moment after `now` (None: no occurrence ahead has one)."""
    horizon = timedelta(minutes=max(s.reminder_offsets) + 61)
    for span in (timedelta(days=62), timedelta(days=400), timedelta(days=3700)):
        # Every reminder due by now + span belongs to an occurrence starting before now + span +
        # the longest offset (and an hour, for a day of 25 hours).
        ahead = [
            reminder_due(occ, offset, rule.tz)
            for occ in rule.instances(now, now + span + horizon)
            if overrides.get(occ.start) not in (OccurrenceStatus.CANCELLED, OccurrenceStatus.SKIPPED)
            for offset in s.reminder_offsets
        ]
        later = [t for t in ahead if now < t <= now + span]
        if later:
            return min(later)
    return None


def _series_reminders(
    reading: Reading, s: EventSeries, rule: Recurrence, overrides: dict[datetime, str], now: datetime
) -> list[Due]:
    out: list[Due] = []
    # A whole-day offset is calendar days, so a day can be 25 hours long: look an hour further.
    horizon = timedelta(minutes=max(s.reminder_offsets) + 61)
    for occ in rule.instances(now - LOOKBACK, now + horizon):
        if overrides.get(occ.start) in (OccurrenceStatus.CANCELLED, OccurrenceStatus.SKIPPED):
            continue  # nothing to remind of
        message = EventReminder(
            series_id=s.id,
            title=s.title,
            start=occ.start,
            occurrence=occurrence_key(occ.start),
            timezone=s.timezone,
            minutes=s.duration_minutes,
            link=s.link,
            host=s.host_slack_id,
        )
        for offset in s.reminder_offsets:
            due = reminder_due(occ, offset, rule.tz)
            if due > now:
                continue
            key = f"event:{s.id}:{message.occurrence}:{offset}:{s.slack_channel}"
            send = _send_event_reminder(reading, key, s, message, now)
            out.append(Due(key, "event", due, occ.start, send, {"series": s.key}))
    return out


def _send_event_reminder(
    reading: Reading, key: str, s: EventSeries, message: EventReminder, now: datetime
) -> Send:
    # `not_after`: the worker checks it before every attempt, retries included.
    not_after = message.start.isoformat()
    topic = s.forum_topic_id if reading.settings.discourse.enabled else None

    async def send(uow: UnitOfWork) -> None:
        await outbox.post(uow, key, s.slack_channel or "", message, now, **{outbox.NOT_AFTER: not_after})
        if topic is not None:
            forum = ForumEventReminder(message.title, message.start, message.link or "")
            late: dict[str, Any] = {outbox.NOT_AFTER: not_after}
            await outbox.forum_post(uow, f"{key}:forum", forum, now, topic_id=topic, **late)

    return send


async def _report_broken(reading: Reading, s: EventSeries, reason: str, now: datetime) -> Due | None:
    """A series whose rule cannot be expanded gets no reminders; the moderators hear of it once
    (again only if an edit leaves it broken in another way)."""
    what = hashlib.sha256(f"{s.rrule}|{s.start_local}|{s.timezone}".encode()).hexdigest()[:16]
    key = f"series-broken:{s.id}:{what}"
    if not await reading.undecided([key]):
        return None
    log.warning("event series %s cannot be expanded: %s", s.key, reason)
    text = (
        f"Event series `{s.key}` ({s.title}) cannot be expanded: {reason}. It gets no reminders "
        f"and is left out of `/ambassador events` and the calendar feed until it is fixed with "
        f"`/ambassador event edit {s.key}`."
    )
    send = post(key, reading.settings.slack.moderator_channel or "", Notice(text), now)
    return Due(key, "series", now, now + FOREVER, send, {"series": s.key})


async def booking_reminders(reading: Reading, now: datetime) -> AsyncIterator[Due]:
    offset = timedelta(minutes=parse_offset(reading.settings.reminders.booking_reminder))
    async with reading.uow() as uow:
        bookings = list(
            await uow.calendar.upcoming_bookings(now - LOOKBACK, now + offset + timedelta(minutes=1))
        )
        series = {b.series_id: await uow.calendar.series(b.series_id) for b in bookings}
    minutes = int(offset.total_seconds() // 60)

    def recipients(b: Booking) -> list[str]:
        s = series[b.series_id]
        return [] if s is None else [w for w in (b.slack_user_id, s.host_slack_id) if w]

    # The reminders of the look-back window decided already are left out in one query.
    todo = await reading.undecided([f"booking:{b.id}:{minutes}:{w}" for b in bookings for w in recipients(b)])
    for b in bookings:
        s = series[b.series_id]
        due = b.slot_start - offset
        if s is None or due > now:
            continue
        message = BookingReminder(
            title=s.title,
            start=b.slot_start,
            person=b.slack_user_id,
            timezone=s.timezone,
            link=s.link,
            host=s.host_slack_id,
            minutes=s.slot_minutes,
        )
        for who in recipients(b):
            key = f"booking:{b.id}:{minutes}:{who}"
            if key not in todo:
                continue
            mine = replace(message, to=who)  # each copy names the other side
            send = dm(key, who, mine, now, **{outbox.NOT_AFTER: b.slot_start.isoformat()})
            yield Due(key, "booking", due, b.slot_start, send, {"booking": b.id})
