"""On PostgreSQL the check of a pooled connection at checkout is the unit of work's own BEGIN:
a one-insert unit of work is BEGIN, INSERT, COMMIT, with no ping of its own before it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import asyncpg
import pytest
from sqlalchemy import text

from storage.db import make_engine


@pytest.fixture
def simple_queries(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """What goes over asyncpg's simple query protocol (BEGIN, COMMIT, ROLLBACK, a ping)."""
    seen: list[str] = []
    execute = asyncpg.Connection.execute

    async def counted(self: asyncpg.Connection, query: str, *args: Any, **kwargs: Any) -> Any:
        if not args:
            seen.append(query.split()[0].rstrip(";").upper())
        return await execute(self, query, *args, **kwargs)

    monkeypatch.setattr(asyncpg.Connection, "execute", counted)
    yield seen


def _postgres_only(backend: str) -> None:
    if backend != "postgres":
        pytest.skip("the checkout check is PostgreSQL's (SQLite has no server to ping)")


async def test_a_write_is_begin_insert_commit(db_url: str, backend: str, simple_queries: list[str]) -> None:
    _postgres_only(backend)
    engine = make_engine(db_url)
    try:
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TABLE rt_probe (n int)"))
        simple_queries.clear()
        async with engine.begin() as conn:
            await conn.execute(text("INSERT INTO rt_probe VALUES (1)"))
        assert simple_queries == ["BEGIN", "COMMIT"]  # a SELECT 1 ping before the BEGIN, before
    finally:
        await engine.dispose()


async def test_a_unit_of_work_can_still_choose_its_isolation_level(db_url: str, backend: str) -> None:
    _postgres_only(backend)
    engine = make_engine(db_url)
    try:
        async with engine.connect() as conn:
            chosen = await conn.execution_options(isolation_level="REPEATABLE READ")
            level = (await chosen.execute(text("SHOW transaction_isolation"))).scalar_one()
            assert level == "repeatable read"
        async with engine.connect() as conn:  # and the next one is back to the default
            level = (await conn.execute(text("SHOW transaction_isolation"))).scalar_one()
            assert level == "read committed"
    finally:
        await engine.dispose()
