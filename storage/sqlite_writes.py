"""One writer at a time on a SQLite database, queued in the process instead of in SQLite.

SQLite lets one connection write at a time. A connection that finds the database locked waits in
SQLite's busy handler, which sleeps and polls (1 ms, 2 ms, 5 ms … up to 100 ms between tries), so
under concurrent webhooks a waiting writer often sleeps long after the lock is free. Here each
write transaction of this process first takes an asyncio lock, held until its COMMIT or ROLLBACK,
so writers of one process hand over in turn without polling. Other processes (a CLI command, a
second `run`) still meet the busy handler, as before. Read-only transactions never queue.
"""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.util import await_only

_HELD = "ambassador_sqlite_write_lock"
_DML = ("INSERT", "UPDATE", "DELETE", "REPLACE")


class _WriteQueue:
    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self._lock: asyncio.Lock | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _current(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        if self._lock is None or self._loop is not loop:  # an engine reused by a new event loop
            self._lock, self._loop = asyncio.Lock(), loop
        return self._lock

    def acquire(self, info: dict[str, Any], statement: str) -> None:
        if info.get(_HELD):
            return
        lock = self._current()
        if not lock.locked():  # nobody writing: taken at once, no timer and no task for wait_for
            await_only(lock.acquire())
        else:
            try:
                await_only(asyncio.wait_for(lock.acquire(), self.timeout))
            except TimeoutError:
                raise OperationalError(statement, None, TimeoutError("database is locked")) from None
        info[_HELD] = lock

    @staticmethod
    def release(info: dict[str, Any]) -> None:
        lock = info.pop(_HELD, None)
        if lock is not None and lock.locked():
            lock.release()


def install(engine: AsyncEngine, timeout: float) -> None:
    """Queue this engine's write transactions (see the module docstring)."""
    queue = _WriteQueue(timeout)
    sync = engine.sync_engine

    def in_transaction(conn: Any) -> bool:
        driver_conn = conn.connection.driver_connection  # aiosqlite's (or sqlite3's) connection
        return driver_conn is not None and bool(driver_conn.in_transaction)

    @event.listens_for(sync, "savepoint")
    def _begin_before_savepoint(conn: Any, _name: str) -> None:
        # pysqlite opens a transaction lazily, only before an INSERT/UPDATE/DELETE. A SAVEPOINT
        # sent while none is open starts one of its own, and its RELEASE then commits: a claim
        # made in `begin_nested()` would be saved before (and without) the rest of the unit of
        # work. Open the real transaction first; claims are writes, so take the write lock now.
        if not in_transaction(conn):
            queue.acquire(conn.info, "BEGIN IMMEDIATE")
            conn.exec_driver_sql("BEGIN IMMEDIATE")

    @event.listens_for(sync, "before_cursor_execute")
    def _queue_first_write(
        conn: Any, _cursor: Any, statement: str, _params: Any, _context: Any, _many: bool
    ) -> None:
        if statement.lstrip()[:7].upper().startswith(_DML) and not in_transaction(conn):
            queue.acquire(conn.info, statement)

    @event.listens_for(sync, "commit")
    def _after_commit(conn: Any) -> None:
        queue.release(conn.info)

    @event.listens_for(sync, "rollback")
    def _after_rollback(conn: Any) -> None:
        # A connection invalidated mid-transaction (a task cancelled at shutdown) cannot hand
        # out its `info` until this very rollback is done; the pool's reset/close hooks below
        # release the lock for it when the connection goes back.
        if not conn.invalidated:
            queue.release(conn.info)

    @event.listens_for(sync.pool, "reset")
    def _on_reset(_dbapi_conn: Any, record: Any, _reset_state: Any) -> None:
        queue.release(record.info)  # a connection returned without commit or rollback

    @event.listens_for(sync.pool, "close")
    def _on_close(_dbapi_conn: Any, record: Any) -> None:
        queue.release(record.info)
