"""A pooled PostgreSQL connection that the server has cut (a restart, a failover, an idle
timeout) is found dead when it is checked out and replaced: the next unit of work runs, it is
not the one that fails."""

from __future__ import annotations

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from storage.db import make_engine


async def test_a_connection_cut_by_the_server_is_replaced_on_checkout(db_url: str, backend: str) -> None:
    if backend != "postgres":
        pytest.skip("SQLite has no server to cut a connection")
    engine = make_engine(db_url)
    try:
        async with engine.connect() as conn:  # one connection, now in the pool
            pid = (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        url = make_url(db_url)
        admin = await asyncpg.connect(
            user=url.username, password=url.password, host=url.host, port=url.port, database="postgres"
        )
        try:
            assert await admin.fetchval("SELECT pg_terminate_backend($1)", pid)
        finally:
            await admin.close()
        async with engine.connect() as conn:
            again = (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        assert again != pid
    finally:
        await engine.dispose()
