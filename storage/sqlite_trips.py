"""One trip to aiosqlite's thread per SQL statement, instead of three or four; none for a
COMMIT or ROLLBACK with no transaction open.

aiosqlite runs each call on the connection in a thread of its own and hands the result back to
the event loop. SQLAlchemy's adapter makes a statement of several such calls: make a cursor,
execute, fetch the rows, close the cursor, each a queue put, a thread wake-up and a loop wake-up.
Under concurrent requests every one of them also waits for the loop to come round again, and on
SQLite a writer holds the write lock (`storage.sqlite_writes`) across all of them. Here the
cursor does the four steps in one function run on that thread: the same sqlite3 calls in the same
order, one hand-over.

It relies on what aiosqlite has had since 0.17 (the project needs ≥ 0.20): the coroutine
`Connection._execute(fn, *args)`, which runs `fn` on the connection's thread, `Connection._conn`,
the sqlite3 connection, and the public `in_transaction`. Where one is missing the adapter's own
cursor is kept (`install` returns False), so an aiosqlite that drops them is slower, not broken.
Server-side cursors (`stream()`) keep the adapter's cursor: their rows are fetched in parts.
"""

from __future__ import annotations

import collections
import sqlite3
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.util import await_only

_Description = tuple[tuple[Any, ...], ...] | None


def _run(
    driver: Any, operation: str, parameters: Any, many: bool
) -> tuple[_Description, int, Any, list[Any]]:
    """On aiosqlite's thread: what the adapter's cursor does in its four calls."""
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
            description, rowcount, lastrowid, rows = await_only(
                driver._execute(_run, driver, operation, parameters, many)
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
        # sqlite3_get_autocommit first); with none open the trip to the thread does nothing.
        # A unit of work that only read, and every connection SQLAlchemy closes after a read,
        # skip it. No statement is running while SQLAlchemy commits, so the flag is settled.
        def commit(self: Any) -> None:
            if self._connection.in_transaction:
                adapted_cls.commit(self)

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

    return True
