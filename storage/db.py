"""Engine and session factory. Built once by the caller (the ASGI lifespan, the CLI, a test)."""

from __future__ import annotations

import inspect
import logging
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.util import await_only

from storage import sqlite_trips, sqlite_writes

log = logging.getLogger("ambassador_bot.db")

AUTOCHECKPOINT_PAGES = 20_000  # a WAL of about 80 MB at most where nothing checkpoints (SQLite: 1 000)
CHECKPOINT_SECONDS = 2.0  # how often the bot checkpoints a SQLite WAL in the background
PG_POOL_SIZE = 16  # PostgreSQL connections kept open per process (and as many more at a peak)


def make_engine(url: str, **kwargs: Any) -> AsyncEngine:
    if url.startswith("sqlite"):
        kwargs.setdefault("pool_reset_on_return", None)  # _rollback_if_open below does it
        engine = create_async_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, **kwargs)

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            # WAL lets the webhook/Slack handlers read while the outbox worker writes.
            cur = dbapi_conn.cursor()
            if ":memory:" not in url:
                cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA synchronous=NORMAL")
            # SQLite checkpoints the WAL from whichever commit takes it past 1 000 pages, so one
            # request in a few hundred also waited for the checkpoint's fsync. The bot checkpoints
            # in the background instead (`checkpoint`, every CHECKPOINT_SECONDS); this larger
            # threshold only bounds the WAL of a process that does not (a CLI command).
            cur.execute(f"PRAGMA wal_autocheckpoint={AUTOCHECKPOINT_PAGES}")
            cur.close()

        @event.listens_for(engine.sync_engine.pool, "reset")
        def _rollback_if_open(dbapi_conn: Any, _record: Any, state: Any) -> None:
            # The pool's own reset rolls back every connection it gets back, even one whose unit
            # of work has just committed: one more trip to SQLite's thread per unit of work, for
            # nothing. Roll back only a connection still in a transaction (registered before the
            # write queue's reset hook, so the lock is released after the rollback).
            usable = state.asyncio_safe and not state.terminate_only
            if usable and dbapi_conn.driver_connection.in_transaction:
                dbapi_conn.rollback()

        sqlite_writes.install(engine, timeout=30)
        sqlite_trips.install(engine)
        return engine
    # SQLAlchemy keeps 5 connections and closes every one it opened beyond them as soon as it is
    # returned. At 8 requests in flight the bot had up to 13 checked out (a Slack command's work
    # after its ack overlaps the next requests; the outbox worker and sweeps take their own), so
    # it kept opening connections (a TCP and TLS handshake, a new server process, its statement
    # cache empty): mixed traffic ran at 0.37 of the bare endpoints' rate, 0.48 with 12 kept.
    kwargs.setdefault("pool_size", PG_POOL_SIZE)
    kwargs.setdefault("max_overflow", PG_POOL_SIZE)
    if make_url(url).drivername == "postgresql+asyncpg" and "pool_pre_ping" not in kwargs:
        engine = create_async_engine(url, **kwargs)
        _ping_on_checkout(engine)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_async_engine(url, **kwargs)


async def checkpoint(engine: AsyncEngine) -> None:
    """Copy the SQLite WAL back into the database file without blocking readers or writers
    (PASSIVE), on one of the pool's connections, off the request path. Nothing on PostgreSQL."""
    if engine.dialect.name != "sqlite":
        return
    try:
        async with engine.connect() as conn:
            await conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
    except Exception as err:  # the next one catches up; a commit past the threshold does too
        log.warning("SQLite checkpoint skipped (%s)", type(err).__name__)


def _ping_on_checkout(engine: AsyncEngine) -> None:
    """`pool_pre_ping` without a round trip of its own: the checkout sends the unit of work's
    BEGIN, and a connection that does not answer it is reported as disconnected, so the pool
    drops it and checks out another (a fresh one after a restart), as with pool_pre_ping.

    SQLAlchemy's asyncpg ping is BEGIN, a query and a ROLLBACK, and then the unit of work sends
    its own BEGIN before its first statement: four round trips before any work. Here the BEGIN is
    the one SQLAlchemy's adapter would send itself (`_start_transaction`, with the connection's
    isolation level), so a one-insert webhook is 3 round trips (BEGIN, INSERT, COMMIT) instead of
    4 with a `SELECT 1` ping. A unit of work that changes the isolation level (the backup's
    REPEATABLE READ) rolls this BEGIN back first, as the adapter does for any open transaction.
    Where the adapter has no such method, or the connection is in autocommit, `SELECT 1` in the
    simple query protocol is the ping."""

    @event.listens_for(engine.sync_engine.pool, "checkout")
    def _ping(dbapi_conn: Any, _record: Any, _proxy: Any) -> None:
        try:
            if _can_begin(dbapi_conn):
                await_only(dbapi_conn._start_transaction())
            else:
                await_only(dbapi_conn.driver_connection.execute("SELECT 1"))
        except Exception as err:
            raise DisconnectionError(
                f"the database connection did not answer ({type(err).__name__})"
            ) from err


def _can_begin(adapted: Any) -> bool:
    """Whether the adapter's own BEGIN can be sent now: it has one (SQLAlchemy 2.0 and 2.1), the
    connection is not in autocommit, and no transaction is open on it yet."""
    return (
        inspect.iscoroutinefunction(getattr(type(adapted), "_start_transaction", None))
        and getattr(adapted, "isolation_level", None) != "autocommit"
        and getattr(adapted, "_transaction", None) is None
        and not getattr(adapted, "_started", False)
    )


def sqlite_file(url: str) -> Path | None:
    """The file a SQLite URL names (which connecting would create), None for other databases and
    for in-memory SQLite."""
    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite") or parsed.database in (None, "", ":memory:"):
        return None
    if parsed.database.startswith("file:") or parsed.query.get("mode") == "memory":
        return None
    return Path(parsed.database)


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
