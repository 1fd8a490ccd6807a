"""Engine and session factory. Built once by the caller (the ASGI lifespan, the CLI, a test)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import NullPool


def make_engine(url: str, **kwargs: Any) -> AsyncEngine:
    if url.startswith("sqlite"):
        engine = create_async_engine(url, connect_args={"timeout": 30}, **kwargs)

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            # The driver's own transaction handling starts a transaction only before the first
            # INSERT/UPDATE/DELETE, so a SAVEPOINT issued first would run outside any transaction
            # and its RELEASE would commit on its own: a claimed reminder saved without its outbox
            # row. Take over: autocommit at the driver, and an explicit BEGIN below.
            dbapi_conn.isolation_level = None
            # WAL lets the webhook/Slack handlers read while the outbox worker writes.
            cur = dbapi_conn.cursor()
            if ":memory:" not in url:
                cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        @event.listens_for(engine.sync_engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            # IMMEDIATE takes the write lock up front (readers still read, thanks to WAL), so a
            # transaction that reads then writes never fails on a snapshot another writer moved.
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_async_engine(url, **kwargs)


def make_engine_nopool(url: str) -> AsyncEngine:
    return make_engine(url, poolclass=NullPool)


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
