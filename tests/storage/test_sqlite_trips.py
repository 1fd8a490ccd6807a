"""On SQLite a statement runs on the event loop's thread, with no trip to aiosqlite's; a long read,
or a write that meets another process' lock, goes on to the thread. What SQLAlchemy hands back
is the same as with the adapter's cursor."""

from __future__ import annotations

import asyncio
import sqlite3
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import aiosqlite
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage import sqlite_trips
from storage.db import make_engine


@pytest.fixture
def trips(monkeypatch: pytest.MonkeyPatch) -> Iterator[Counter[str]]:
    """Every call queued to an aiosqlite connection's thread, by kind."""
    seen: Counter[str] = Counter()
    queue = aiosqlite.Connection._execute

    async def counted(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        seen[getattr(fn, "__name__", "call")] += 1
        return await queue(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
    yield seen


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, k TEXT UNIQUE, n INTEGER)"))
    try:
        yield engine
    finally:
        await engine.dispose()


async def test_a_write_transaction_runs_on_the_loop_without_a_trip(
    engine: AsyncEngine, trips: Counter[str]
) -> None:
    async with engine.connect() as conn:  # connected (and set up) before counting
        trips.clear()
        async with conn.begin():
            await conn.execute(text("INSERT INTO t (k, n) VALUES ('a', 1)"))
            total = (await conn.execute(text("SELECT sum(n) FROM t"))).scalar_one()
        assert total == 1
        # The adapter's cursor: cursor, execute, close for the INSERT; cursor, execute, fetchall,
        # close for the SELECT; then the COMMIT. Eight trips with it, none now.
        assert sum(trips.values()) == 0
    async with engine.connect() as other:  # committed: another connection sees it
        assert (await other.execute(text("SELECT k FROM t"))).scalars().all() == ["a"]


async def test_a_read_leaves_nothing_to_commit_or_roll_back(engine: AsyncEngine, trips: Counter[str]) -> None:
    async with engine.connect() as conn:
        trips.clear()
        assert (await conn.execute(text("SELECT count(*) FROM t"))).scalar_one() == 0
        await conn.rollback()  # what closing a connection after a read does
        async with conn.begin():
            pass  # nothing written: nothing to commit
        assert sum(trips.values()) == 0


class Ticker:
    """Counts how often the event loop came round while `running` was set."""

    def __init__(self) -> None:
        self.running = False
        self.ticks_while_running = 0
        self._task: asyncio.Task[None] | None = None

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(0)
            if self.running:
                self.ticks_while_running += 1

    def __enter__(self) -> Ticker:
        self._task = asyncio.get_running_loop().create_task(self._tick())
        return self

    def __exit__(self, *_exc: object) -> None:
        assert self._task is not None
        self._task.cancel()


COUNT_TO = "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < {n}) "


async def test_a_long_read_moves_to_the_thread_and_the_loop_goes_on(
    engine: AsyncEngine, trips: Counter[str]
) -> None:
    async with engine.connect() as conn:
        trips.clear()
        with Ticker() as ticker:
            ticker.running = True
            total = (
                await conn.execute(text(COUNT_TO.format(n=3_000_000) + "SELECT count(*) FROM c"))
            ).scalar_one()
            ticker.running = False
        assert total == 3_000_000
        assert trips["_on_thread"] == 1  # cut short on the loop, run again (whole) on the thread
        assert ticker.ticks_while_running > 0  # other tasks ran while it did


async def test_a_job_of_many_statements_lets_other_tasks_run(engine: AsyncEngine) -> None:
    # Found by the fan-out bench: a sweep of 2 000 reminders ran on the loop for half a second,
    # and the outbox worker sent its first DM only once the sweep was done.
    async with engine.connect() as conn:
        with Ticker() as ticker:
            ticker.running = True
            for i in range(3_000):
                await conn.execute(text("SELECT :i"), {"i": i})
            ticker.running = False
        assert ticker.ticks_while_running > 0


async def test_a_long_write_in_a_transaction_is_never_cut_short(
    engine: AsyncEngine, trips: Counter[str]
) -> None:
    async with engine.connect() as conn:
        trips.clear()
        async with conn.begin():
            await conn.execute(text("INSERT INTO t (k, n) VALUES ('first', 0)"))
            await conn.execute(
                text(COUNT_TO.format(n=200_000) + "INSERT INTO t (k, n) SELECT 'r' || i, i FROM c")
            )
        assert sum(trips.values()) == 0
        assert (await conn.execute(text("SELECT count(*) FROM t"))).scalar_one() == 200_001


async def test_a_long_first_write_of_a_transaction_is_never_cut_short(engine: AsyncEngine) -> None:
    # Found by the fan-out bench's seed: a write that started outside a transaction (pysqlite
    # opens one at the first write) was cut short with some of its rows already in; run again on
    # the thread, it then failed on the rows it had already written.
    rows = [{"k": f"m{i}", "n": i} for i in range(100_000)]
    async with engine.begin() as conn:
        await conn.execute(text("INSERT INTO t (k, n) VALUES (:k, :n)"), rows)
    async with engine.connect() as conn:
        assert (await conn.execute(text("SELECT count(*) FROM t"))).scalar_one() == 100_000


async def test_a_write_waits_on_the_thread_while_another_process_writes(
    engine: AsyncEngine, trips: Counter[str], tmp_path: Path
) -> None:
    other = sqlite3.connect(tmp_path / "bot.db", isolation_level=None)  # like a CLI command
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO t (k, n) VALUES ('cli', 1)")
    async with engine.connect() as conn:
        trips.clear()
        with Ticker() as ticker:
            ticker.running = True
            write = asyncio.create_task(conn.execute(text("INSERT INTO t (k, n) VALUES ('bot', 2)")))
            while ticker.ticks_while_running < 50:  # the loop is not held up by the wait
                await asyncio.sleep(0)
            assert not write.done()
            other.execute("COMMIT")
            await asyncio.wait_for(write, timeout=30)
        await conn.commit()
        assert trips["_on_thread"] == 1
        assert (await conn.execute(text("SELECT k FROM t ORDER BY id"))).scalars().all() == ["cli", "bot"]
    other.close()


async def test_results_are_what_sqlalchemy_expects(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        inserted = await conn.execute(text("INSERT INTO t (k, n) VALUES ('a', 1)"))
        assert inserted.rowcount == 1 and inserted.lastrowid == 1
        many = await conn.execute(
            text("INSERT INTO t (k, n) VALUES (:k, :n)"), [{"k": f"m{i}", "n": i} for i in range(5)]
        )
        assert many.rowcount == 5
        updated = await conn.execute(text("UPDATE t SET n = n + 1 WHERE k LIKE 'm%'"))
        assert updated.rowcount == 5
        result = await conn.execute(text("SELECT k, n FROM t ORDER BY id"))
        assert list(result.keys()) == ["k", "n"]
        assert result.fetchone() == ("a", 1)
        assert result.fetchmany(2) == [("m0", 1), ("m1", 2)]
        assert [tuple(r) for r in result] == [("m2", 3), ("m3", 4), ("m4", 5)]
        assert (await conn.execute(text("SELECT k FROM t WHERE k = 'none'"))).first() is None
    async with engine.connect() as conn:  # a server-side cursor still streams, in parts
        streamed = await conn.stream(text("SELECT n FROM t ORDER BY id"))
        assert [row[0] async for row in streamed] == [1, 1, 2, 3, 4, 5]


async def test_a_failed_statement_is_the_same_error_and_rolls_back(engine: AsyncEngine) -> None:
    with pytest.raises(IntegrityError):
        async with engine.begin() as conn:
            await conn.execute(text("INSERT INTO t (k, n) VALUES ('dup', 1)"))
            await conn.execute(text("INSERT INTO t (k, n) VALUES ('dup', 2)"))
    async with engine.connect() as conn:
        assert (await conn.execute(text("SELECT count(*) FROM t"))).scalar_one() == 0


def test_an_aiosqlite_without_the_calls_used_keeps_the_adapter() -> None:
    assert sqlite_trips.supported(aiosqlite.Connection)

    class Bare:
        async def _execute(self, fn: Any) -> Any:  # no _conn, no in_transaction
            return fn()

    assert not sqlite_trips.supported(Bare)
