"""A SQLite WAL is checkpointed by the bot in the background, not by whichever request's commit
takes it past SQLite's default 1 000 pages (that request waited for the checkpoint's fsync)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import text

from bot.config import settings_from_mapping
from bot.runtime import build_runtime
from storage.db import AUTOCHECKPOINT_PAGES, checkpoint, make_engine


async def test_commits_leave_the_wal_to_the_background_checkpoint(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    engine = make_engine(url)
    # A reader that stays open, as the bot's pool does: with none, closing the last connection
    # checkpoints and removes the WAL (older SQLAlchemy pools no file connections).
    async with engine.connect() as conn:
        await conn.execute(text("PRAGMA journal_mode=WAL"))
    keeper = sqlite3.connect(tmp_path / "bot.db")
    keeper.execute("SELECT count(*) FROM sqlite_master").fetchall()
    try:
        async with engine.begin() as conn:
            limit = (await conn.exec_driver_sql("PRAGMA wal_autocheckpoint")).scalar_one()
            assert limit == AUTOCHECKPOINT_PAGES > 1000
            await conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)"))
        # Well past SQLite's default threshold: about 1 500 pages of commits.
        for i in range(60):
            async with engine.begin() as conn:
                await conn.execute(text("INSERT INTO t (body) VALUES (:b)"), {"b": "x" * 100_000 + str(i)})
        wal = tmp_path / "bot.db-wal"
        grown = wal.stat().st_size
        assert grown > 1000 * 4096  # no commit checkpointed and restarted the WAL
        await checkpoint(engine)
        async with engine.begin() as conn:  # the next writer starts the WAL over from its head
            await conn.execute(text("INSERT INTO t (body) VALUES ('after')"))
        async with engine.connect() as conn:
            row = (await conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")).one()
        assert int(row[1]) < 10  # only the last commit's few pages, not the 1 500 before it
        async with engine.connect() as conn:
            count = (await conn.execute(text("SELECT count(*) FROM t"))).scalar_one()
        assert count == 61
    finally:
        keeper.close()
        await engine.dispose()


async def test_the_runtime_checkpoints_a_sqlite_database(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    settings = settings_from_mapping(
        {"database": {"url": url}, "slack": {"bot_token": "xoxb-1", "signing_secret": "s"}}, env={}
    )
    rt = await build_runtime(settings, auto_migrate=True)
    try:
        assert "sqlite-checkpoint" in rt.scheduler.job_ids()
    finally:
        await rt.close()
