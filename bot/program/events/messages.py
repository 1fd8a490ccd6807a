"""The typed messages of events: reminders (with the RSVP counts shown), cancellations and the
office-hours bookings' confirmations, notes to the host and reminders.

Field names are the keys the rows' data always had, so rows queued before keep decoding.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar, Literal

from bot.program.messages import Message


@dataclass(frozen=True)
class EventReminder(Message):
    """An occurrence is near: RSVP buttons for `occurrence` of series `series_id`, and the counts."""

    kind: ClassVar[Literal["event_reminder"]] = "event_reminder"
    series_id: int
    title: str
    start: datetime
    occurrence: str  # the occurrence key (bot.program.events.series.occurrence_key)
    timezone: str = ""
    minutes: int = 60
    link: str = ""
    host: str | None = None
    counts: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class EventCancelled(Message):
    kind: ClassVar[Literal["event_cancelled"]] = "event_cancelled"
    title: str
    start: datetime
    timezone: str = ""
    reason: str = ""


@dataclass(frozen=True)
class _SlotNote(Message):
    """A note about `person`'s office-hours slot."""

    title: str
    start: datetime
    person: str
    timezone: str = ""


@dataclass(frozen=True)
class BookingCancelled(_SlotNote):
    """To the host: `person` cancelled their slot; it is free again."""

    kind: ClassVar[Literal["booking_cancelled"]] = "booking_cancelled"


@dataclass(frozen=True)
class _SlotDetails(_SlotNote):
    """The note with where to join and who hosts."""

    link: str = ""
    host: str | None = None


@dataclass(frozen=True)
class BookingReminder(_SlotDetails):
    """To the person and to the host: the slot starts soon. `to` is who this copy is for, so it
    names the other one (the booker sees the host, the host sees the booker); rows queued before
    it existed have none."""

    kind: ClassVar[Literal["booking_reminder"]] = "booking_reminder"
    minutes: int | None = None
    to: str | None = None

    @property
    def other(self) -> str | None:
        """The person on the other side of the slot from `to` (None when `to` is unknown)."""
        if self.to is None:
            return None
        return self.host if self.to == self.person else self.person


@dataclass(frozen=True)
class _BookedSlot(_SlotDetails):
    """A slot just booked, as the person who booked it (who may cancel it by `booking_id`) and its
    host are told."""

    minutes: int = field(kw_only=True)
    booking_id: int = field(kw_only=True)


@dataclass(frozen=True)
class BookingConfirmed(_BookedSlot):
    kind: ClassVar[Literal["booking_confirmed"]] = "booking_confirmed"


@dataclass(frozen=True)
class BookingForHost(_BookedSlot):
    kind: ClassVar[Literal["booking_for_host"]] = "booking_for_host"


@dataclass(frozen=True)
class ForumEventReminder(Message):
    """The forum copy of an event reminder, in the series' forum topic."""

    kind: ClassVar[Literal["forum_event_reminder"]] = "forum_event_reminder"
    title: str
    start: datetime
    link: str = ""
