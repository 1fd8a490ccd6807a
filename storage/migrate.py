"""Apply the Alembic migrations that ship inside this package.

The history has a single head (tests/storage/test_migration_history.py checks it, and that the
migrated schema is what the models declare): a new migration goes on top of it. The same
migrations also run with the plain `alembic` command from the source tree (alembic.ini).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.types import TypeDecorator

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def compare_type(
    _ctx: Any, _inspected_column: Any, _metadata_column: Any, inspected_type: Any, metadata_type: Any
) -> bool | None:
    """A TypeDecorator is stored as its `impl` (Money is NUMERIC(18, 4), on SQLite too, where it
    binds text into that NUMERIC-affinity column): compare the stored type, not the bind type.
    Anything else: Alembic's own comparison."""
    if not isinstance(metadata_type, TypeDecorator):
        return None
    impl = metadata_type.impl_instance
    same = isinstance(inspected_type, type(impl)) and all(
        getattr(inspected_type, attr, None) == getattr(impl, attr, None)
        for attr in ("precision", "scale", "length")
    )
    return not same


def _upgrade(conn: Connection, revision: str) -> None:
    cfg = alembic_config()
    cfg.attributes["connection"] = conn
    command.upgrade(cfg, revision)


async def upgrade(engine: AsyncEngine, revision: str = "heads") -> None:
    async with engine.begin() as conn:
        await conn.run_sync(_upgrade, revision)


def _current(conn: Connection) -> str | None:
    heads = MigrationContext.configure(conn).get_current_heads()
    return ",".join(sorted(heads)) if heads else None


async def current_revision(engine: AsyncEngine) -> str | None:
    async with engine.connect() as conn:
        return await conn.run_sync(_current)


def head_revision() -> str | None:
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    return ",".join(sorted(heads)) if heads else None
