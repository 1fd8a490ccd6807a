"""Events: the tables of event series (meetups, office hours), their overrides, reminders, RSVPs,
bookings and calendar tokens, and their repository (`CalendarRepo`, bound as `uow.calendar`;
`uow.deliveries` is the inbound delivery dedupe of storage/repositories.py, not this).

The reminder claims are exactly-once: a unique key per reminder, claimed by inserting its row.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    bindparam,
    event,
    func,
    inspect,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Mapper, mapped_column

from storage.enums import BookingStatus, EventSeriesStatus, ReminderStatus
from storage.models import CHECK_NOW, Base, utcnow
from storage.repository import Repository


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
    status: Mapped[str] = mapped_column(String(16), default=EventSeriesStatus.ACTIVE)
    source: Mapped[str] = mapped_column(String(16), default="config")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When the sweep next has a reminder of this series to decide (NULL: none ahead, or the series
    # cannot be expanded). Set to CHECK_NOW by any change of the series (see `_series_changed`).
    next_reminder_at: Mapped[datetime | None] = mapped_column(index=True, default=CHECK_NOW)


@event.listens_for(EventSeries, "before_update")
def _series_changed(_mapper: Mapper[EventSeries], _conn: Any, series: EventSeries) -> None:
    """An edited (or re-enabled, or moved) series is looked at again by the next sweep."""
    state = inspect(series)
    if any(attr.history.has_changes() for attr in state.attrs if attr.key != "next_reminder_at"):
        series.next_reminder_at = CHECK_NOW


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
    status: Mapped[str] = mapped_column(String(16), default=BookingStatus.BOOKED)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    cancelled_at: Mapped[datetime | None]


class CalendarToken(Base):
    __tablename__ = "calendar_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    slack_user_id: Mapped[str] = mapped_column(String(32), unique=True)
    # SHA-256 (hex) of the private feed's token, never the token itself (bot.program.events.calendar);
    # the column keeps its name "token" so backups made before migration 0008 still restore.
    token_hash: Mapped[str] = mapped_column("token", String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CalendarRepo(Repository):
    # -- series ---------------------------------------------------------------------------------

    async def active_series(self) -> Sequence[EventSeries]:
        stmt = (
            select(EventSeries)
            .where(EventSeries.status == EventSeriesStatus.ACTIVE)
            .order_by(EventSeries.key)
        )
        return await self._all(stmt)

    async def series_due(self, now: datetime, every: bool = False) -> Sequence[EventSeries]:
        """The active series whose next reminder moment has come (`every`: all active series)."""
        stmt = select(EventSeries).where(EventSeries.status == EventSeriesStatus.ACTIVE)
        if not every:
            stmt = stmt.where(EventSeries.next_reminder_at <= now)
        return await self._all(stmt.order_by(EventSeries.key))

    async def advance_series(self, moves: Sequence[tuple[EventSeries, datetime | None]]) -> None:
        """Set each series' next reminder moment, unless it changed since it was read (an edit
        marks it to be looked at again, and that stands)."""
        table = EventSeries.__table__
        assert isinstance(table, Table)
        col = table.c.next_reminder_at
        for was_none in (False, True):
            rows = [
                {"b_id": s.id, "b_was": s.next_reminder_at, "b_due": at}
                for s, at in sorted(moves, key=lambda move: move[0].id)
                if (s.next_reminder_at is None) == was_none
            ]
            if not rows:
                continue
            unchanged = col.is_(None) if was_none else col == bindparam("b_was")
            stmt = (
                update(table)
                .where(table.c.id == bindparam("b_id"), unchanged)
                .values(next_reminder_at=bindparam("b_due"))
            )
            if was_none:
                rows = [{"b_id": r["b_id"], "b_due": r["b_due"]} for r in rows]
            await self.s.execute(stmt, rows)

    async def series_by_key(self, key: str) -> EventSeries | None:
        return await self._one(select(EventSeries).where(EventSeries.key == key))

    async def series(self, series_id: int) -> EventSeries | None:
        return await self.s.get(EventSeries, series_id)

    async def add_series(self, series: EventSeries) -> EventSeries:
        return await self._add(series)

    async def add_series_once(self, series: EventSeries) -> bool:
        """Add a series unless one with its key exists (another replica may add it at the same moment)."""
        return await self._add_once(series)

    # -- overrides ------------------------------------------------------------------------------

    async def overrides(self, series_id: int) -> dict[datetime, str]:
        stmt = select(OccurrenceOverride).where(OccurrenceOverride.series_id == series_id)
        return {o.occurrence_start: o.status for o in (await self.s.execute(stmt)).scalars()}

    async def add_override(self, override: OccurrenceOverride) -> bool:
        return await self._add_once(override)

    # -- reminders (the exactly-once claims) -----------------------------------------------------

    async def reminder_exists(self, key: str) -> bool:
        return (await self.s.execute(select(Reminder.id).where(Reminder.key == key))).first() is not None

    async def claim_reminder(
        self,
        key: str,
        kind: str,
        status: ReminderStatus,
        due_at: datetime,
        now: datetime,
        detail: dict[str, Any],
    ) -> bool:
        """Record the decision about one due reminder; False when it was decided already."""
        reminder = Reminder(key=key, kind=kind, status=status, due_at=due_at, decided_at=now, detail=detail)
        return await self._add_once(reminder)

    async def claim_reminders(self, decisions: Sequence[dict[str, Any]]) -> set[str]:
        """Record many decisions at once (each a dict of key, kind, status, due_at, decided_at,
        detail): one `INSERT … ON CONFLICT DO NOTHING RETURNING key`, so the keys returned are the
        ones this transaction decided, and a key decided already (or by a twin racing in another
        transaction, which it waits for) is left out, as `claim_reminder` does one at a time."""
        if not decisions:
            return set()
        insert = postgresql_insert if self.s.get_bind().dialect.name == "postgresql" else sqlite_insert
        stmt = (
            insert(Reminder)
            .values([dict(d) for d in decisions])
            .on_conflict_do_nothing(index_elements=[Reminder.key])
            .returning(Reminder.key)
        )
        return {str(k) for k in (await self.s.execute(stmt)).scalars()}

    async def decided(self, keys: list[str]) -> set[str]:
        """Which of these reminder keys were decided already (one query per 500 keys)."""
        found: set[str] = set()
        for i in range(0, len(keys), 500):
            chunk = keys[i : i + 500]
            rows = await self.s.execute(select(Reminder.key).where(Reminder.key.in_(chunk)))
            found.update(str(k) for k in rows.scalars())
        return found

    async def reminder_counts(self) -> dict[str, int]:
        return await self._count_by(Reminder.status)

    # -- RSVPs ----------------------------------------------------------------------------------

    async def set_rsvp(
        self, series_id: int, occ: datetime, user: str, answer: str, now: datetime
    ) -> str | None:
        stmt = select(Rsvp).where(
            Rsvp.series_id == series_id, Rsvp.occurrence_start == occ, Rsvp.slack_user_id == user
        )
        row = await self._one(stmt)
        if row is None:
            first = Rsvp(series_id=series_id, occurrence_start=occ, slack_user_id=user)
            first.answer, first.updated_at = answer, now
            if await self._add_once(first):
                return None
            # A concurrent first answer by the same person won the insert: update that one.
            row = (await self.s.execute(stmt)).scalar_one()
        before = row.answer
        row.answer, row.updated_at = answer, now
        return before

    async def rsvp_counts(self, series_id: int, occ: datetime) -> dict[str, int]:
        stmt = (
            select(Rsvp.answer, func.count())
            .where(Rsvp.series_id == series_id, Rsvp.occurrence_start == occ)
            .group_by(Rsvp.answer)
        )
        return {str(r[0]): int(r[1]) for r in (await self.s.execute(stmt)).all()}

    # -- bookings -------------------------------------------------------------------------------

    async def active_bookings(self, series_id: int, start: datetime, end: datetime) -> Sequence[Booking]:
        stmt = select(Booking).where(
            Booking.series_id == series_id,
            Booking.status == BookingStatus.BOOKED,
            Booking.slot_start >= start,
            Booking.slot_start < end,
        )
        return await self._all(stmt)

    async def book(self, booking: Booking) -> bool:
        """Insert a booking; False when the slot was taken (the unique active_slot says so)."""
        return await self._add_once(booking)

    async def booking(self, booking_id: int) -> Booking | None:
        return await self.s.get(Booking, booking_id)

    async def bookings_of(self, user: str, since: datetime) -> Sequence[Booking]:
        stmt = (
            select(Booking)
            .where(
                Booking.slack_user_id == user,
                Booking.status == BookingStatus.BOOKED,
                Booking.slot_start >= since,
            )
            .order_by(Booking.slot_start)
        )
        return await self._all(stmt)

    async def upcoming_bookings(self, start: datetime, end: datetime) -> Sequence[Booking]:
        stmt = select(Booking).where(
            Booking.status == BookingStatus.BOOKED, Booking.slot_start >= start, Booking.slot_start < end
        )
        return await self._all(stmt)

    async def cancel_booking(self, booking_id: int, now: datetime) -> bool:
        cancelled = {"status": BookingStatus.CANCELLED, "active_slot": None, "cancelled_at": now}
        return await self._transition(Booking, booking_id, BookingStatus.BOOKED, **cancelled)

    # -- calendar tokens ------------------------------------------------------------------------

    async def token_for(self, user: str) -> CalendarToken | None:
        stmt = select(CalendarToken).where(CalendarToken.slack_user_id == user)
        return await self._one(stmt)

    async def user_for_token_hash(self, token_hash: str) -> str | None:
        stmt = select(CalendarToken.slack_user_id).where(CalendarToken.token_hash == token_hash)
        return await self._one(stmt)

    async def add_token(self, row: CalendarToken) -> bool:
        """False when the person got a token at the same moment (another request, another replica)."""
        return await self._add_once(row)

    async def replace_token(self, user: str, token_hash: str, now: datetime) -> bool:
        """Put a new token hash in place of the person's old one; False when they had none."""
        stmt = (
            update(CalendarToken)
            .where(CalendarToken.slack_user_id == user)
            .values({CalendarToken.token_hash: token_hash, CalendarToken.created_at: now})
            .execution_options(synchronize_session=False)
        )
        return await self._rowcount(stmt) == 1
