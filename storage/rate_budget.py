"""The rate budgets' state on PostgreSQL: take slots of a shared rate limit, or hold it back.

Each budget is one PostgreSQL sequence (created by the `rate_budgets` migration) whose value is
the budget's next free slot, in microseconds since the epoch on the database's clock
(`clock_timestamp()`, the one clock every replica shares). A take is one short transaction of its
own on the engine (not the caller's unit of work): an advisory transaction lock per budget makes
the takers of all replicas queue, then the sequence is moved forward with `setval`, so no two
get the same slot. A sequence rather than a table row: the pacing of a live cluster is not program
data, so it stays out of the tables that backups, restores and the tests' snapshots read.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine


@dataclass(frozen=True)
class _Budget:
    sequence: str  # its sequence (a fixed identifier, never user input)
    lock: int  # its advisory lock key


# The budgets bot.platforms.budget uses, by name; the migration creates their sequences.
BUDGETS = {
    "slack.workspace_posts": _Budget("rate_budget_slack_workspace_posts", 0x72617465_0001),
    "discourse.admin_requests": _Budget("rate_budget_discourse_admin_requests", 0x72617465_0002),
}
_LOCK = text("SELECT pg_advisory_xact_lock(:key)")
_NOW_US = "CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000000 AS bigint)"


# The sequence names below come from BUDGETS (fixed identifiers), never from input.
def _take(sequence: str) -> str:
    return f"""
    WITH clock AS (SELECT {_NOW_US} AS now_us),
         slot AS (SELECT GREATEST(s.last_value, clock.now_us) AS first FROM {sequence} AS s, clock)
    SELECT setval('{sequence}', slot.first + :span_us) - :span_us AS first_us, clock.now_us AS now_us
      FROM slot, clock
    """  # noqa: S608


def _hold(sequence: str) -> str:
    return f"""
    SELECT setval('{sequence}', GREATEST(s.last_value, {_NOW_US} + :hold_us)) FROM {sequence} AS s
    """  # noqa: S608


class RateBudgetStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def take(self, name: str, count: int, interval: float) -> tuple[float, float]:
        """Reserve the next `count` slots `interval` seconds apart; returns (the first slot's
        start, the database's now), both in seconds since the epoch."""
        budget = BUDGETS[name]
        span_us = max(1, round(count * interval * 1_000_000))
        async with self.engine.begin() as conn:
            await conn.execute(_LOCK, {"key": budget.lock})
            row = (await conn.execute(text(_take(budget.sequence)), {"span_us": span_us})).one()
        return row.first_us / 1_000_000, row.now_us / 1_000_000

    async def hold(self, name: str, seconds: float) -> None:
        """Nobody takes a slot of `name` before `seconds` from now."""
        budget = BUDGETS[name]
        async with self.engine.begin() as conn:
            await conn.execute(_LOCK, {"key": budget.lock})
            await conn.execute(text(_hold(budget.sequence)), {"hold_us": round(seconds * 1_000_000)})
