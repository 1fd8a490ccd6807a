"""Event series (meetups, office hours), their reminders, RSVPs and bookings."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base, utcnow


class EventSeries(Base):
    __tablename__ = "event_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(60), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default="meetup")  # meetup | office_hours
    rrule: Mapped[str] = mapped_column(String(300))  # RFC 5545 RRULE, e.g. FREQ=MONTHLY;BYDAY=1TH
    start_local: Mapped[str] = mapped_column(String(20))  # first occurrence, wall time: 2026-01-01T17:00
    timezone: Mapped[str] = mapped_column(String(64))
    duration_minutes: Mapped[int] = mapped_column(Integer, default=60)
    link: Mapped[str] = mapped_column(Text, default="")
    host_slack_id: Mapped[str | None] = mapped_column(String(32))
    slack_channel: Mapped[str | None] = mapped_column(String(32))
    forum_topic_id: Mapped[int | None] = mapped_column(Integer)
    reminder_offsets: Mapped[list[int]] = mapped_column(JSON, default=list)  # minutes before the start
    slot_minutes: Mapped[int | None] = mapped_column(Integer)  # office hours: 1-to-1 slot length
    status: Mapped[str] = mapped_column(String(16), default="active")
    source: Mapped[str] = mapped_column(String(16), default="config")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class OccurrenceOverride(Base):
    __tablename__ = "occurrence_overrides"
    __table_args__ = (UniqueConstraint("series_id", "occurrence_start", name="uq_occurrence_override"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("event_series.id"), index=True)
    occurrence_start: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16))  # cancelled | skipped
    reason: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(32), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Reminder(Base):
    """One reminder that was due: claimed (sent) or skipped, exactly once, by its unique key."""

    __tablename__ = "reminders"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    # event | booking | renewal | nudge | digest | lapse | series (a series that cannot be expanded)
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(16))  # sent | skipped
    due_at: Mapped[datetime]
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class Rsvp(Base):
    __tablename__ = "rsvps"
    __table_args__ = (UniqueConstraint("series_id", "occurrence_start", "slack_user_id", name="uq_rsvp"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("event_series.id"))
    occurrence_start: Mapped[datetime]
    slack_user_id: Mapped[str] = mapped_column(String(32))
    answer: Mapped[str] = mapped_column(String(10))  # going | maybe | no
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Booking(Base):
    __tablename__ = "bookings"
    __table_args__ = (UniqueConstraint("series_id", "active_slot", name="uq_booking_active_slot"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("event_series.id"), index=True)
    slot_start: Mapped[datetime]
    # The slot's start (ISO) while booked, NULL once cancelled: a unique column that makes double
    # booking impossible even under concurrent clicks, on SQLite and PostgreSQL alike.
    active_slot: Mapped[str | None] = mapped_column(String(40))
    slack_user_id: Mapped[str] = mapped_column(String(32), index=True)
    status: Mapped[str] = mapped_column(String(16), default="booked")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    cancelled_at: Mapped[datetime | None]


class CalendarToken(Base):
    __tablename__ = "calendar_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    slack_user_id: Mapped[str] = mapped_column(String(32), unique=True)
    # SHA-256 (hex) of the private feed's token, never the token itself (bot.program.calendar);
    # the column keeps its name "token" so backups made before migration 0008 still restore.
    token_hash: Mapped[str] = mapped_column("token", String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
