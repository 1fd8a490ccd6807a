"""Alembic environment.

Two ways in, one set of migrations:
- `ambassador-bot migrate` (storage.migrate) hands over a live connection;
- the plain `alembic` command, run from the source tree with its `alembic.ini`, opens one itself:
  the database is `-x url=…`, or else the `[database] url` of `-x config=PATH` (default
  ./config.toml). Nothing is guessed: without either, it stops and says what to give.
"""

from __future__ import annotations

import asyncio
import tomllib
from pathlib import Path

from alembic import context
from sqlalchemy.engine import Connection

from storage.migrate import compare_type
from storage.models import Base, import_all_models

import_all_models()  # every table of every feature module takes part in the comparison


def _migrate(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=compare_type,
    )
    with context.begin_transaction():
        context.run_migrations()


def _database_url() -> str:
    given = context.get_x_argument(as_dictionary=True)
    if given.get("url"):
        return given["url"]
    path = Path(given.get("config", "config.toml"))
    if not path.is_file():
        raise SystemExit(
            f"alembic: no database given: use `alembic -x url=sqlite+aiosqlite:///bot.db …`, or "
            f"`-x config=PATH` for a config file with [database] url ({path} does not exist)"
        )
    url = tomllib.loads(path.read_text(encoding="utf-8")).get("database", {}).get("url")
    return str(url or "sqlite+aiosqlite:///ambassador-bot.db")  # the bot's own default


async def _migrate_standalone() -> None:
    from storage.db import make_engine

    engine = make_engine(_database_url())
    try:
        async with engine.begin() as conn:
            await conn.run_sync(_migrate)
    finally:
        await engine.dispose()


connection = context.config.attributes.get("connection")
if connection is not None:
    _migrate(connection)
else:
    asyncio.run(_migrate_standalone())
