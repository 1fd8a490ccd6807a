"""How the outbox worker keeps a platform's pacer fed (bot/platforms/outbox_worker.py).

At the start of a fan-out the lane knows nothing yet of the rate it achieves. It used to let
its first claim go two deliveries at a time until the first outcome was written, and then
claimed only what the achieved rate (which trails at the start) justified. When those outcomes
queued behind the reminder sweep's writes, the pacer stood idle for a fifth of a second before
the DMs got going."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config.platforms import OutboxSettings
from bot.platforms.outbox_worker import FIRST_CLAIM, IN_FLIGHT, OutboxWorker
from bot.program.ports import SystemClock
from storage.db import make_engine, make_sessionmaker
from storage.migrate import upgrade
from storage.models import OutboxMessage
from storage.uow import UnitOfWorkFactory


class SlowPosts:
    """A deliverer whose every post takes `seconds`, counting how many are under way at once."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.now = 0
        self.most = 0
        self.keys: list[str] = []

    async def deliver(self, kind: str, key: str, payload: dict[str, Any], maybe_done: bool) -> dict[str, Any]:
        self.now += 1
        self.most = max(self.most, self.now)
        try:
            await asyncio.sleep(self.seconds)
        finally:
            self.now -= 1
        self.keys.append(key)
        return {"ok": True}


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    eng = make_engine(db_url)
    await upgrade(eng)
    try:
        yield eng
    finally:
        await eng.dispose()


async def _queue(uow: UnitOfWorkFactory, n: int) -> None:
    at = datetime.now(UTC)
    async with uow() as u:
        await u.outbox.enqueue_many([(f"lane:{i}", "slack.dm", {"user": f"U{i}"}, at) for i in range(n)])


async def test_the_first_claim_goes_out_at_once(engine: AsyncEngine) -> None:
    uow = UnitOfWorkFactory(make_sessionmaker(engine))
    await _queue(uow, FIRST_CLAIM)
    posts = SlowPosts(0.05)
    worker = OutboxWorker(uow, {"slack": posts}, OutboxSettings(), SystemClock())
    assert await worker.drain_once() == FIRST_CLAIM
    assert posts.most == FIRST_CLAIM  # was 6: two went first, the rest after their outcomes
    assert sorted(posts.keys) == sorted(f"lane:{i}" for i in range(FIRST_CLAIM))


async def test_a_lane_short_of_rows_claims_more_each_time(engine: AsyncEngine) -> None:
    uow = UnitOfWorkFactory(make_sessionmaker(engine))
    await _queue(uow, 120)
    posts = SlowPosts(0.05)
    worker = OutboxWorker(uow, {"slack": posts}, OutboxSettings(), SystemClock())
    claims: list[int] = []
    claim = worker._claim_batch

    async def counted(platform: str, count: int) -> Any:
        batch = await claim(platform, count)
        claims.append(len(batch))
        return batch

    worker._claim_batch = counted  # type: ignore[method-assign]
    assert await worker.drain_once() == 120
    # Every claim started without waiting for room, so each asks for twice the last: 8, 16,
    # 32, 64 (the achieved rate alone asked for 8, 17, 16, 16).
    assert claims[:4] == [8, 16, 32, 64], claims
    assert posts.most == IN_FLIGHT  # and never more than a lane allows
    async with make_sessionmaker(engine)() as s:
        statuses = (
            await s.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status))
        ).all()
    assert dict(statuses) == {"delivered": 120}
