"""One migration history the plain `alembic` command can drive, and that agrees with the models.

- one head, so `alembic upgrade head` works as `ambassador-bot migrate` does;
- `alembic.ini` at the top of the source tree: upgrade, current, history and a downgrade to a
  named revision, on a database named with `-x url=…` or `-x config=PATH`;
- after every migration, the schema is what the models declare (Alembic's autogenerate
  comparison finds nothing to add), on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from storage.db import make_engine
from storage.migrate import alembic_config, compare_type, head_revision, upgrade
from storage.models import Base, import_all_models

import_all_models()  # every feature module's tables

ROOT = Path(__file__).resolve().parents[2]
ALEMBIC = [sys.executable, "-m", "alembic", "-c", str(ROOT / "alembic.ini")]


def test_the_migration_history_has_a_single_head() -> None:
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    assert len(heads) == 1, f"several heads: {sorted(heads)}; add a merge migration"


async def test_the_migrated_schema_is_what_the_models_declare(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        await upgrade(engine)
        async with engine.connect() as conn:

            def differences(sync_conn: object) -> list[object]:
                ctx = MigrationContext.configure(sync_conn, opts={"compare_type": compare_type})  # type: ignore[arg-type]
                return list(compare_metadata(ctx, Base.metadata))

            diffs = await conn.run_sync(differences)
    finally:
        await engine.dispose()
    missing = "\n".join(map(str, diffs))
    assert diffs == [], f"models and migrations disagree; write a migration for:\n{missing}"


def _alembic(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*ALEMBIC, *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_the_plain_alembic_command_drives_the_migrations(tmp_path: Path) -> None:
    db = tmp_path / "bot.db"
    (tmp_path / "config.toml").write_text(f'[database]\nurl = "sqlite+aiosqlite:///{db}"\n', encoding="utf-8")
    x = ["-x", f"config={tmp_path / 'config.toml'}"]

    assert _alembic(*x, "upgrade", "head", cwd=tmp_path).returncode == 0
    current = _alembic(*x, "current", cwd=tmp_path)
    assert current.returncode == 0 and f"{head_revision()} (head)" in current.stdout
    history = _alembic(*x, "history", cwd=tmp_path)
    assert "0001" in history.stdout and f"{head_revision()} (head)" in history.stdout

    down = _alembic("-x", f"url=sqlite+aiosqlite:///{db}", "downgrade", "0007_audit_action", cwd=tmp_path)
    assert down.returncode == 0, down.stderr
    assert "(head)" not in _alembic(*x, "current", cwd=tmp_path).stdout
    assert _alembic(*x, "upgrade", "head", cwd=tmp_path).returncode == 0


def test_the_plain_alembic_command_without_a_database_says_what_to_give(tmp_path: Path) -> None:
    result = _alembic("upgrade", "head", cwd=tmp_path)
    assert result.returncode != 0
    assert "-x url=" in result.stderr + result.stdout and "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []  # no database file was made up
