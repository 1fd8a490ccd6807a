"""The `rate_budgets` rows (PostgreSQL): take slots of a shared rate limit, or hold it back.

Each statement is one short transaction of its own on the engine (not the caller's unit of work),
an UPDATE … RETURNING on the budget's row: PostgreSQL's row lock makes concurrent takers of all
replicas queue on the row, so no two get the same slot. Times are the database's clock
(`clock_timestamp()`, seconds since the epoch), the one clock every replica shares.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

_ENSURE = text("INSERT INTO rate_budgets (name, next_at) VALUES (:name, 0) ON CONFLICT (name) DO NOTHING")
_TAKE = text(
    """
    WITH clock AS (SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) AS float8) AS now)
    UPDATE rate_budgets AS b
       SET next_at = GREATEST(b.next_at, clock.now) + :span
      FROM clock
     WHERE b.name = :name
    RETURNING b.next_at - :span AS first, clock.now AS now
    """
)
_HOLD = text(
    """
    UPDATE rate_budgets
       SET next_at = GREATEST(next_at, CAST(EXTRACT(EPOCH FROM clock_timestamp()) AS float8) + :seconds)
     WHERE name = :name
    """
)


class RateBudgetStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._known: set[str] = set()

    async def _ensure(self, name: str) -> None:
        if name not in self._known:
            async with self.engine.begin() as conn:
                await conn.execute(_ENSURE, {"name": name})
            self._known.add(name)

    async def take(self, name: str, count: int, interval: float) -> tuple[float, float]:
        """Reserve the next `count` slots `interval` apart; returns (the first slot's start, the
        database's now), both in seconds since the epoch."""
        await self._ensure(name)
        async with self.engine.begin() as conn:
            row = (await conn.execute(_TAKE, {"name": name, "span": count * interval})).one()
        return float(row.first), float(row.now)

    async def hold(self, name: str, seconds: float) -> None:
        """Nobody takes a slot of `name` before `seconds` from now."""
        await self._ensure(name)
        async with self.engine.begin() as conn:
            await conn.execute(_HOLD, {"name": name, "seconds": seconds})
