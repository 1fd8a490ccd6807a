"""Apply the Alembic migrations that ship inside this package.

The history has a single head (tests/storage/test_migration_history.py checks it, and that the
migrated schema is what the models declare): a new migration goes on top of it. The same
migrations also run with the plain `alembic` command from the source tree (alembic.ini).
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.types import TypeDecorator

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")
VERSION_TABLE = "alembic_version"  # Alembic's default, which env.py keeps


def alembic_config() -> Config:
    # Alembic (with Mako) is imported only to migrate: checking the revision needs neither, so
    # a running bot whose schema is current never loads it.
    from alembic.config import Config

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
    from alembic import command

    cfg = alembic_config()
    cfg.attributes["connection"] = conn
    command.upgrade(cfg, revision)


async def upgrade(engine: AsyncEngine, revision: str = "heads") -> None:
    async with engine.begin() as conn:
        await conn.run_sync(_upgrade, revision)


def _current(conn: Connection) -> str | None:
    if not inspect(conn).has_table(VERSION_TABLE):
        return None
    heads = [str(v) for v in conn.execute(text("SELECT version_num FROM alembic_version")).scalars()]
    return ",".join(sorted(heads)) if heads else None


async def current_revision(engine: AsyncEngine) -> str | None:
    """The revision(s) the database is at, as Alembic records them (None: no schema yet)."""
    async with engine.connect() as conn:
        return await conn.run_sync(_current)


def _declared(path: Path) -> tuple[str | None, tuple[str, ...]]:
    """(revision, down revisions) that a migration file assigns, read without running it."""
    found: dict[str, Any] = {}
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        else:
            continue
        if isinstance(target, ast.Name) and target.id in ("revision", "down_revision"):
            found[target.id] = ast.literal_eval(value)
    down = found.get("down_revision")
    downs = (down,) if isinstance(down, str) else tuple(down or ())
    return found.get("revision"), downs


@functools.cache
def head_revision() -> str | None:
    """The head(s) of the shipped history: revisions no other migration names as its down
    revision (tests/storage/test_migration_history.py checks this against Alembic's own)."""
    revisions: set[str] = set()
    downs: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        revision, down = _declared(path)
        if revision:
            revisions.add(revision)
            downs.update(down)
    heads = revisions - downs
    return ",".join(sorted(heads)) if heads else None


async def upgrade_if_behind(engine: AsyncEngine) -> None:
    """`upgrade` unless the database is at the head already (then Alembic is not even loaded)."""
    if await current_revision(engine) != head_revision():
        await upgrade(engine)
