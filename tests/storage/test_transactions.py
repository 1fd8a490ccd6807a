"""A unit of work is all or nothing, also when it uses savepoints (the exactly-once claims do)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from storage.db import make_engine, make_sessionmaker
from storage.migrate import upgrade
from storage.models_events import Reminder
from storage.uow import UnitOfWork


class Crash(Exception):
    pass


async def test_a_claim_is_not_saved_when_its_transaction_fails(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        await upgrade(engine)
        sm = make_sessionmaker(engine)
        now = datetime.now(UTC)
        with pytest.raises(Crash):
            async with UnitOfWork(sm) as uow:
                # The claim uses a savepoint; the crash comes before the outbox row is queued.
                assert await uow.calendar.claim_reminder("event:1:x:60:C1", "event", "sent", now, now, {})
                raise Crash
        async with UnitOfWork(sm) as uow:
            count = (await uow.session.execute(select(func.count()).select_from(Reminder))).scalar_one()
            assert count == 0
            # ...and a claim that commits is there, once.
            assert await uow.calendar.claim_reminder("event:1:x:60:C1", "event", "sent", now, now, {})
        async with UnitOfWork(sm) as uow:
            assert not await uow.calendar.claim_reminder("event:1:x:60:C1", "event", "sent", now, now, {})
    finally:
        await engine.dispose()
