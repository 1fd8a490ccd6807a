"""SQLite statements run on the event loop's thread: no trip to aiosqlite's thread for a
statement, a COMMIT, or a COMMIT or ROLLBACK with no transaction open.

aiosqlite runs each call on the connection in a thread of its own and hands the result back to
the event loop. SQLAlchemy's adapter makes a statement of several such calls (make a cursor,
execute, fetch the rows, close the cursor), each a queue put, a thread wake-up and a loop
wake-up. Under concurrent requests that thread also fights the loop for the GIL: measured on 8
webhooks in flight, every request's own Python ran ~25 % slower, and a writer held the write lock
(`storage.sqlite_writes`) across several loop turns. The statements of this bot take
microseconds in SQLite itself, less than the hand-over, so here they run where they are called:

- A SELECT (or WITH … SELECT) is interrupted once it has run READ_BUDGET (SQLite's progress
  handler) and then run again, whole, on aiosqlite's thread, so a long report query never holds
  up the loop. Only a read is cut short: a write always runs to its end on the loop (the bot
  writes in batches).
- The loop never waits for another process (a CLI command): its statements run with SQLite's
  busy timeout at 0, and one that finds the database locked waits on the thread instead, with
  the timeout back on.
- A job of many statements lets the loop come round every SLICE (`_after_inline`).
- ROLLBACK, a WAL checkpoint and VACUUM stay on the thread. A rollback is then queued behind a
  statement that may still run there for a task cancelled while it waited.

It relies on what aiosqlite has had since 0.17 (the project needs ≥ 0.20): the coroutine
`Connection._execute(fn, *args)`, which runs `fn` on the connection's thread, `Connection._conn`,
the sqlite3 connection, and the public `in_transaction`. The sqlite3 connection is opened with
`check_same_thread=False` (`storage.db`); the two threads never use it at once, since each call
is awaited before the next. Where one is missing the adapter's own cursor is kept (`install`
returns False), so an aiosqlite that drops them is slower, not broken. Server-side cursors
(`stream()`) keep the adapter's cursor: their rows are fetched in parts.
"""

from __future__ import annotations

import asyncio
import collections
import re
import sqlite3
import time
import weakref
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.util import await_only

_Description = tuple[tuple[Any, ...], ...] | None

BUSY_TIMEOUT_MS = 30_000  # how long a statement on aiosqlite's thread waits for another process
# Seconds a read may run on the loop before it moves to the thread. At 2 ms, `find` over 2 000
# profiles (a 3 ms read) was cut short every time and run again whole: 7.8 ms instead of 3.9.
READ_BUDGET = 0.005
SLICE = 0.005  # seconds of statements on the loop before it lets other tasks run
_STEPS = 5_000  # SQLite VM steps between two looks at the clock
_THREAD_ONLY = ("PRAGMA WAL_CHECKPOINT", "VACUUM")  # long and not cut short by the budget


def _run(
    driver: Any, operation: str, parameters: Any, many: bool
) -> tuple[_Description, int, Any, list[Any]]:
    """What the adapter's cursor does in its four calls, on whichever thread calls it."""
    conn: sqlite3.Connection = driver._conn
    cursor = conn.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else []
        return description, cursor.rowcount, cursor.lastrowid, rows
    finally:
        cursor.close()


def _waiting(conn: sqlite3.Connection, call: Any, *args: Any) -> Any:
    """On aiosqlite's thread: `call` with SQLite's busy timeout on (off for the loop's calls)."""
    conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    try:
        return call(*args)
    finally:
        conn.execute("PRAGMA busy_timeout=0")


def _on_thread(driver: Any, operation: str, parameters: Any, many: bool) -> Any:
    return _waiting(driver._conn, _run, driver, operation, parameters, many)


def _commit_on_thread(driver: Any) -> None:
    _waiting(driver._conn, driver._conn.commit)


_WRITE_WORDS = re.compile(r"\b(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)


def _is_read(operation: str) -> bool:
    """A SELECT, or a WITH … SELECT (a WITH naming no INSERT, UPDATE, DELETE or REPLACE)."""
    head = operation.lstrip()[:6].upper()
    return head == "SELECT" or (head.startswith("WITH") and _WRITE_WORDS.search(operation) is None)


def _inline(driver: Any, operation: str, parameters: Any, many: bool) -> Any:
    """On the event loop's thread. A SELECT is interrupted once it has run READ_BUDGET (a long
    report query), and `OneTripCursor` runs it again on the thread; it has changed nothing. Any
    other statement runs to its end: cutting a write short can leave part of it done (the rows
    of an executemany before the cut) or roll back the whole transaction."""
    if not _is_read(operation):
        return _run(driver, operation, parameters, many)
    conn: sqlite3.Connection = driver._conn
    deadline = time.perf_counter() + READ_BUDGET
    conn.set_progress_handler(lambda: time.perf_counter() > deadline, _STEPS)
    try:
        return _run(driver, operation, parameters, many)
    finally:
        conn.set_progress_handler(None, 0)


class _Turn:
    """Since when a task has run statements on the loop in one step (without yielding)."""

    __slots__ = ("since",)

    def __init__(self) -> None:
        self.since: float | None = None

    def came_round(self) -> None:
        self.since = None


_TURNS: weakref.WeakKeyDictionary[asyncio.Task[Any], _Turn] = weakref.WeakKeyDictionary()


async def _after_inline() -> None:
    """Awaited after each statement run on the loop. SQLAlchemy checks that a call on an async
    driver awaited something (`greenlet_spawn(_require_await=True)`); this mostly yields
    nothing, the greenlet switches here and straight back. But a job of many statements (a
    sweep of 2 000 reminders, a backup) would keep the loop from every other task until its end:
    once one task has run statements for SLICE in one step, it lets the loop come round.

    The count is per task: a callback scheduled at the task's first statement runs once the loop
    has moved on, which it cannot do while that task's step lasts. Many requests each running a
    few statements in one busy loop turn are not a long job, and never yield here (one that did,
    in the middle of its transaction, would hold SQLite's write lock across a loop turn)."""
    task = asyncio.current_task()
    if task is None:
        return
    turn = _TURNS.get(task)
    if turn is None:
        turn = _TURNS[task] = _Turn()
    if turn.since is None:
        turn.since = time.perf_counter()
        asyncio.get_running_loop().call_soon(turn.came_round)
    elif time.perf_counter() - turn.since > SLICE:
        await asyncio.sleep(0)


def _to_thread(error: Exception) -> bool:
    """Whether a statement that failed on the loop should run again on aiosqlite's thread: SQLite
    was busy (another process writes), or the read ran past its budget."""
    code = getattr(error, "sqlite_errorcode", None)
    return isinstance(error, sqlite3.OperationalError) and code is not None and code & 0xFF in (5, 9)


class OneTripCursor:
    """A DB-API cursor for SQLAlchemy over aiosqlite whose rows are all read at execute."""

    server_side = False
    __slots__ = ("_adapted", "_rows", "arraysize", "description", "lastrowid", "rowcount")

    def __init__(self, adapted: Any) -> None:
        self._adapted = adapted  # SQLAlchemy's adapted connection; ._connection is aiosqlite's
        self._rows: collections.deque[Any] = collections.deque()
        self.arraysize = 1
        self.description: _Description = None
        self.rowcount = -1
        self.lastrowid: Any = None

    def _call(self, operation: str, parameters: Any, many: bool) -> None:
        driver = self._adapted._connection
        try:
            on_loop = not operation.lstrip()[:21].upper().startswith(_THREAD_ONLY)
            if on_loop:
                try:
                    description, rowcount, lastrowid, rows = _inline(driver, operation, parameters, many)
                    await_only(_after_inline())
                except sqlite3.OperationalError as error:
                    if not _to_thread(error):
                        raise
                    on_loop = False
            if not on_loop:
                description, rowcount, lastrowid, rows = await_only(
                    driver._execute(_on_thread, driver, operation, parameters, many)
                )
        except Exception as error:  # the adapter turns aiosqlite's errors into DB-API ones
            self._adapted._handle_exception(error)
        self.description, self.rowcount, self.lastrowid = description, rowcount, lastrowid
        self._rows = collections.deque(rows)

    def execute(self, operation: str, parameters: Any = None) -> None:
        self._call(operation, parameters, False)

    def executemany(self, operation: str, seq_of_parameters: Sequence[Any]) -> None:
        self._call(operation, seq_of_parameters, True)

    def fetchone(self) -> Any:
        return self._rows.popleft() if self._rows else None

    def fetchmany(self, size: int | None = None) -> list[Any]:
        count = min(self.arraysize if size is None else size, len(self._rows))
        return [self._rows.popleft() for _ in range(count)]

    def fetchall(self) -> list[Any]:
        rows = list(self._rows)
        self._rows.clear()
        return rows

    def __iter__(self) -> Iterator[Any]:
        while self._rows:
            yield self._rows.popleft()

    def setinputsizes(self, *sizes: Any) -> None:
        pass

    def close(self) -> None:
        self._rows.clear()

    async def _async_soft_close(self) -> None:
        """SQLAlchemy ≥ 2.0.44 closes a cursor's driver cursor here; this one has none open."""


_CLASSES: dict[type[Any], type[Any]] = {}


def _one_trip_class(adapted_cls: type[Any]) -> type[Any]:
    """`adapted_cls` with a `cursor()` that hands out `OneTripCursor` (no new slots, so an
    instance's class can be switched to it)."""
    if adapted_cls not in _CLASSES:

        def cursor(self: Any, server_side: bool = False) -> Any:
            if server_side:
                return adapted_cls.cursor(self, server_side=True)
            return OneTripCursor(self)

        # sqlite3 sends COMMIT or ROLLBACK only when a transaction is open (pysqlite checks
        # sqlite3_get_autocommit first); with none open there is nothing to do. A unit of work
        # that only read, and every connection SQLAlchemy closes after a read, skip it. No
        # statement is running while SQLAlchemy commits, so the flag is settled.
        def commit(self: Any) -> None:
            driver = self._connection
            if driver._connection is None or not driver.in_transaction:
                return
            try:
                try:
                    driver._conn.commit()  # on the loop, like the statements before it
                    await_only(_after_inline())
                except sqlite3.OperationalError as error:
                    if not _to_thread(error):
                        raise
                    await_only(driver._execute(_commit_on_thread, driver))
            except Exception as error:
                self._handle_exception(error)

        # A rollback is queued on aiosqlite's thread, behind a statement that may still run
        # there for a task cancelled while it waited: the two never meet on the connection.
        def rollback(self: Any) -> None:
            if self._connection.in_transaction:
                adapted_cls.rollback(self)

        members = {"__slots__": (), "cursor": cursor, "commit": commit, "rollback": rollback}
        _CLASSES[adapted_cls] = type(adapted_cls.__name__, (adapted_cls,), members)
    return _CLASSES[adapted_cls]


def supported(driver_class: type) -> bool:
    """Whether aiosqlite's connection class still has what this module uses."""
    return callable(getattr(driver_class, "_execute", None)) and all(
        isinstance(getattr(driver_class, name, None), property) for name in ("_conn", "in_transaction")
    )


def install(engine: AsyncEngine) -> bool:
    """Give every connection of this aiosqlite engine the one-trip cursor (module docstring)."""
    if engine.sync_engine.dialect.driver != "aiosqlite":
        return False
    import aiosqlite

    if not supported(aiosqlite.Connection):
        return False

    @event.listens_for(engine.sync_engine.pool, "connect", insert=True)
    def _switch(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.__class__ = _one_trip_class(type(dbapi_conn))

    @event.listens_for(engine.sync_engine.pool, "connect")
    def _never_wait_on_the_loop(dbapi_conn: Any, _record: Any) -> None:
        # After the engine's own PRAGMAs: the loop's statements fail at once with SQLITE_BUSY
        # when another process writes, and then wait on the thread (`_waiting`).
        dbapi_conn.driver_connection._conn.execute("PRAGMA busy_timeout=0")

    return True
