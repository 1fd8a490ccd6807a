"""Migration `next_due_columns` on a database that already holds terms and an event series: every
active term and series is marked "look at it on the next sweep" (its real next moment depends on
the settings, which the sweep knows), a term that is over has nothing due, and the first sweep
after it still sends the renewal reminder that was due and sets each next moment."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import select

from bot.config import Settings
from bot.program.permissions import ServiceDeps
from bot.program.reminders.sweep import ReminderService
from bot.program.roles import Roles
from bot.sandbox.harness.stack import FakeClock
from storage.db import make_engine, make_sessionmaker
from storage.events import EventSeries
from storage.migrate import current_revision, head_revision, upgrade
from storage.models import CHECK_NOW, Ambassador, UTCDateTime
from storage.uow import UnitOfWorkFactory

BEFORE = "steps_nominee_home_group"
NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)

# The ambassadors table as it was before the migration (the model has the new columns).
OLD_AMBASSADORS = sa.table(
    "ambassadors",
    sa.column("id", sa.Integer()),
    sa.column("person_id", sa.Integer()),
    sa.column("status", sa.String()),
    sa.column("term_start", UTCDateTime()),
    sa.column("term_end", UTCDateTime()),
    sa.column("created_at", UTCDateTime()),
    sa.column("updated_at", UTCDateTime()),
)
OLD_SERIES = sa.table(
    "event_series",
    *(sa.column(name, sa.String()) for name in ("key", "title", "kind", "rrule", "start_local", "timezone")),
    *(sa.column(name, sa.String()) for name in ("link", "status", "source", "slack_channel")),
    sa.column("duration_minutes", sa.Integer()),
    sa.column("reminder_offsets", sa.JSON()),
    sa.column("created_at", UTCDateTime()),
    sa.column("updated_at", UTCDateTime()),
)
PEOPLE = sa.table(
    "people",
    sa.column("id", sa.Integer()),
    sa.column("slack_user_id", sa.String()),
    sa.column("display_name", sa.String()),
    sa.column("created_at", UTCDateTime()),
)


async def test_the_migration_marks_active_terms_due_and_the_next_sweep_reminds(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        await upgrade(engine, BEFORE)
        ends = {1: NOW + timedelta(days=20), 2: NOW - timedelta(days=100)}  # 30-day reminder due; over
        async with engine.begin() as conn:
            await conn.execute(
                PEOPLE.insert(),
                [
                    {"id": i, "slack_user_id": f"U{i}", "display_name": f"P{i}", "created_at": NOW}
                    for i in ends
                ],
            )
            await conn.execute(
                OLD_AMBASSADORS.insert(),
                [
                    {
                        "id": i,
                        "person_id": i,
                        "status": "active" if i == 1 else "alumni",
                        "term_start": end - timedelta(days=730),
                        "term_end": end,
                        "created_at": NOW,
                        "updated_at": NOW,
                    }
                    for i, end in ends.items()
                ],
            )
            await conn.execute(
                OLD_SERIES.insert(),
                {
                    "key": "monthly",
                    "title": "Monthly meetup",
                    "kind": "meetup",
                    "rrule": "FREQ=MONTHLY;BYDAY=1TH",
                    "start_local": "2026-01-01T17:00",
                    "timezone": "UTC",
                    "link": "",
                    "status": "active",
                    "source": "config",
                    "slack_channel": "C0EVENTS",
                    "duration_minutes": 60,
                    "reminder_offsets": [1440],
                    "created_at": NOW,
                    "updated_at": NOW,
                },
            )
        await upgrade(engine)
        assert await current_revision(engine) == head_revision()  # next_due_columns and what follows it
        uow = UnitOfWorkFactory(make_sessionmaker(engine))
        async with uow() as u:
            rows = (await u.session.execute(select(Ambassador).order_by(Ambassador.id))).scalars().all()
            assert [(a.term_due_at, a.nudge_due_at) for a in rows] == [(CHECK_NOW, CHECK_NOW), (None, None)]
            marks = (await u.session.execute(select(EventSeries.next_reminder_at))).scalars().all()
            assert marks == [CHECK_NOW]
        settings = Settings()
        deps = ServiceDeps(uow, settings, Roles([]), FakeClock(NOW))
        result = await ReminderService(deps).sweep()
        assert result.sent == [f"renewal:1:{ends[1]:%Y%m%d}:30"]
        assert result.skipped == [f"renewal:1:{ends[1]:%Y%m%d}:60"]  # superseded by the 30-day one
        async with uow() as u:
            active = await u.session.get(Ambassador, 1)
            assert active is not None and active.term_due_at == ends[1] - timedelta(days=7)
            # The series' next reminder: a day before the first Thursday of December, 17:00.
            meetup = await u.calendar.series_by_key("monthly")
            assert meetup is not None and meetup.next_reminder_at == datetime(2026, 12, 2, 17, 0, tzinfo=UTC)
    finally:
        await engine.dispose()
