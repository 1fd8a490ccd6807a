"""A unit of work whose connection is lost in the middle of a write (a task cancelled at shutdown,
a dropped socket) rolls back quietly, and the next writer is not kept waiting.

Found by the SIGTERM fault test: the SQLite write queue's rollback hook asked the invalidated
connection for its `info`, which raises, so the rollback itself failed with a traceback.
"""

from __future__ import annotations

import asyncio

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import make_sessionmaker
from storage.models import AuditEntry


async def _audit(engine: AsyncEngine, action: str) -> None:
    async with make_sessionmaker(engine)() as s, s.begin():
        s.add(AuditEntry(actor="U1", action=action, platform="slack", subject_type="test", subject_id="x"))


async def test_a_rollback_after_the_connection_was_lost_is_quiet_and_frees_the_writer(
    engine: AsyncEngine,
) -> None:
    sessions = make_sessionmaker(engine)
    s = sessions()
    await s.begin()
    s.add(AuditEntry(actor="U1", action="lost", platform="slack", subject_type="test", subject_id="x"))
    await s.flush()  # the write has started (on SQLite: this process' write lock is held)
    await (await s.connection()).invalidate()
    await s.rollback()  # raised PendingRollbackError before the fix
    await s.close()

    await asyncio.wait_for(_audit(engine, "next"), timeout=10)
    async with sessions() as s2:
        actions = (await s2.execute(select(AuditEntry.action))).scalars().all()
        assert list(actions) == ["next"]  # the lost write left nothing behind
