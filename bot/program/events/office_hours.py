"""Office hours: the free 1-to-1 slots of office-hours series, booking one (the person and the
host are told) and cancelling it. `OfficeHours` is the part of `EventService` that does it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from bot.program import outbox
from bot.program.errors import Conflict, NotFound
from bot.program.events.messages import BookingCancelled, BookingConfirmed, BookingForHost
from bot.program.events.series import ahead, audit_series, expandable, occurrences
from bot.program.permissions import GuardedService
from storage.enums import BookingStatus
from storage.events import Booking, EventSeries


@dataclass(frozen=True)
class Slot:
    series_id: int
    title: str
    start: datetime
    minutes: int
    host: str | None
    timezone: str = ""  # the series' zone, shown beside the time


@dataclass(frozen=True)
class BookingResult:
    booking_id: int
    title: str
    start: datetime
    minutes: int
    host: str | None
    timezone: str = ""

    @classmethod
    def of(cls, b: Booking, s: EventSeries) -> BookingResult:
        return cls(b.id, s.title, b.slot_start, s.slot_minutes or 0, s.host_slack_id, s.timezone)


def _offers_slots(s: EventSeries | None) -> bool:
    return s is not None and s.kind == "office_hours" and bool(s.slot_minutes) and expandable(s)


class OfficeHours(GuardedService):
    async def free_slots(self, days: int = 14, limit: int = 12) -> list[Slot]:
        now = self._clock.now()
        slots: list[Slot] = []
        async with self._uow() as uow:
            for s, overrides, starts in await ahead(uow, now, days, _offers_slots):
                minutes = timedelta(minutes=s.slot_minutes or 0)
                for occ in starts:
                    if occ in overrides:
                        continue
                    end = occ + timedelta(minutes=s.duration_minutes)
                    taken = {b.slot_start for b in await uow.calendar.active_bookings(s.id, occ, end)}
                    t = occ
                    while t + minutes <= end:
                        if t > now and t not in taken:
                            slots.append(
                                Slot(s.id, s.title, t, s.slot_minutes or 0, s.host_slack_id, s.timezone)
                            )
                        t += minutes
        slots.sort(key=lambda x: x.start)
        return slots[:limit]

    async def book(self, user: str, series_id: int, slot_start: datetime) -> BookingResult:
        now = self._clock.now()
        async with self._uow() as uow:
            s = await uow.calendar.series(series_id)
            if s is None or not _offers_slots(s):
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
                if b.series_id == s.id and _session_of(s, b.slot_start) == session
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
            key = f"booking:{booking.id}"
            await outbox.dm(uow, f"{key}:confirm-person", user, _booked(BookingConfirmed, s, booking), now)
            if s.host_slack_id:
                told = _booked(BookingForHost, s, booking)
                await outbox.dm(uow, f"{key}:confirm-host", s.host_slack_id, told, now)
            after = {"slot": slot_start.isoformat(), "booking": booking.id}
            await audit_series(uow, now, user, "booking.created", s.key, after=after)
            result = BookingResult.of(booking, s)
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
            if s.host_slack_id:
                told = BookingCancelled(s.title, b.slot_start, user, s.timezone)
                await outbox.dm(uow, f"booking:{b.id}:cancel-host", s.host_slack_id, told, now)
            await audit_series(uow, now, user, "booking.cancelled", s.key, before={"booking": b.id})
            result = BookingResult.of(b, s)
        self._signal.kick()
        return result

    async def my_bookings(self, user: str) -> list[BookingResult]:
        now = self._clock.now()
        async with self._uow() as uow:
            out = []
            for b in await uow.calendar.bookings_of(user, now):
                s = await uow.calendar.series(b.series_id)
                if s is not None:
                    out.append(BookingResult.of(b, s))
            return out


B = TypeVar("B", BookingConfirmed, BookingForHost)


def _booked(cls: type[B], s: EventSeries, b: Booking) -> B:
    """What the person who booked and the host are told of booking `b`."""
    return cls(
        title=s.title,
        start=b.slot_start,
        minutes=s.slot_minutes or 0,
        person=b.slack_user_id,
        booking_id=b.id,
        timezone=s.timezone,
        link=s.link,
        host=s.host_slack_id,
    )


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
