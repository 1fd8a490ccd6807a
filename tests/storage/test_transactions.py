"""A claim made inside a unit of work is saved with the rest of that unit of work or not at all.

Reminders, processed webhooks, bookings and RSVPs are claimed in a savepoint so a duplicate can
be told apart from a real error. If the savepoint ran outside the unit of work's transaction, the
claim would be saved on its own: a crash before the outbox row is written would leave the
reminder "sent" with nothing ever delivered.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import make_sessionmaker
from storage.events import Reminder
from storage.models import OutboxMessage, ProcessedEvent
from storage.uow import UnitOfWork

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


class Boom(Exception):
    pass


async def _count(engine: AsyncEngine, model: type[object]) -> int:
    async with make_sessionmaker(engine)() as s:
        return int((await s.execute(select(func.count()).select_from(model))).scalar_one())


async def test_a_reminder_claim_is_invisible_until_the_unit_of_work_commits(engine: AsyncEngine) -> None:
    sm = make_sessionmaker(engine)
    async with UnitOfWork(sm) as uow:
        assert await uow.calendar.claim_reminder("renewal:1:30", "renewal", "sent", NOW, NOW, {})
        # Another connection (another replica's sweep) must not see the claim yet.
        assert await _count(engine, Reminder) == 0
        await uow.outbox.enqueue("reminder:renewal:1:30", "slack.dm", {"user": "U1", "text": "hi"}, NOW)
    assert await _count(engine, Reminder) == 1
    assert await _count(engine, OutboxMessage) == 1


async def test_a_claim_is_undone_when_the_unit_of_work_fails_after_it(engine: AsyncEngine) -> None:
    sm = make_sessionmaker(engine)
    with pytest.raises(Boom):
        async with UnitOfWork(sm) as uow:
            assert await uow.deliveries.first_time("discourse", "post:1:v1", NOW)
            assert await uow.calendar.claim_reminder("event:9:start", "event", "sent", NOW, NOW, {})
            raise Boom
    assert await _count(engine, Reminder) == 0
    assert await _count(engine, ProcessedEvent) == 0
    # And the same keys can be claimed afterwards, once.
    async with UnitOfWork(sm) as uow:
        assert await uow.deliveries.first_time("discourse", "post:1:v1", NOW)
        assert not await uow.deliveries.first_time("discourse", "post:1:v1", NOW)
    assert await _count(engine, ProcessedEvent) == 1
