"""The command line never answers a user error with a traceback (issue 12, class 9).

Each test runs `bot.cli:main` the way the installed `ambassador-bot` does (click's own option
parsing, its error printing and exit codes), on a real SQLite file or PostgreSQL database.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import text

from bot.cli import main
from storage.db import make_engine
from storage.migrate import upgrade

# Every command that reads the database, with its arguments.
READERS = [
    ("outbox", "failures"),
    ("outbox", "retry"),
    ("export", "ambassadors"),
    ("export", "audit", "--format", "json"),
    ("export", "directory"),
    ("export", "groups"),
    ("export", "person", "alice"),
    ("backup",),
    ("forget", "alice", "--yes"),
]
RAW_DATABASE_TEXT = re.compile(r"Traceback|SELECT|UPDATE|no such table|does not exist|sqlalche\.me|\[SQL")


def invoke(*args: str, cwd: Path | None = None) -> Result:
    """Run the CLI in-process; an exception escaping click would fail the test (a traceback)."""
    runner = CliRunner()
    if cwd is None:
        return runner.invoke(main, list(args), catch_exceptions=False)
    with contextlib.chdir(cwd):
        return runner.invoke(main, list(args), catch_exceptions=False)


def config_for(tmp_path: Path, db_url: str) -> Path:
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\nurl = "{db_url}"\n', encoding="utf-8")
    return config


def sqlite_file(db_url: str) -> Path | None:
    return Path(db_url.split(":///", 1)[1]) if db_url.startswith("sqlite") else None


@pytest.mark.parametrize("command", READERS, ids=lambda c: " ".join(c))
def test_a_database_without_the_schema_says_run_migrate(
    command: tuple[str, ...], db_url: str, tmp_path: Path
) -> None:
    path = sqlite_file(db_url)
    if path is not None:
        sqlite3.connect(path).close()  # an empty SQLite file: no tables at all
    result = invoke("--config", str(config_for(tmp_path, db_url)), *command)
    assert result.exit_code == 1, result.output
    assert "run `ambassador-bot migrate`" in result.output
    assert not RAW_DATABASE_TEXT.search(result.output), result.output
    assert len(result.output.strip().splitlines()) == 1, result.output


@pytest.mark.parametrize("command", READERS, ids=lambda c: " ".join(c))
def test_reading_commands_do_not_create_a_missing_sqlite_file(
    command: tuple[str, ...], tmp_path: Path
) -> None:
    missing = tmp_path / "not-yet.db"
    result = invoke("--config", str(config_for(tmp_path, f"sqlite+aiosqlite:///{missing}")), *command)
    assert result.exit_code == 1, result.output
    assert str(missing) in result.output and "run `ambassador-bot migrate`" in result.output
    assert not missing.exists()


async def test_a_schema_behind_the_code_says_run_migrate(db_url: str, tmp_path: Path) -> None:
    engine = make_engine(db_url)
    try:
        await upgrade(engine, "0002")
    finally:
        await engine.dispose()
    result = await asyncio.to_thread(
        invoke, "--config", str(config_for(tmp_path, db_url)), "export", "ambassadors"
    )
    assert result.exit_code == 1
    assert "run `ambassador-bot migrate`" in result.output and "0002" in result.output
    assert not RAW_DATABASE_TEXT.search(result.output), result.output


@pytest.mark.parametrize(
    "command",
    [("doctor",), ("migrate",), ("backup",), ("outbox", "failures"), ("export", "ambassadors")],
    ids=lambda c: " ".join(c),
)
def test_a_missing_config_file_is_named_and_nothing_is_created(
    command: tuple[str, ...], tmp_path: Path
) -> None:
    # No --config and no ./config.toml: the default file is named, no database appears.
    result = invoke(*command, cwd=tmp_path)
    assert result.exit_code == 1, result.output
    assert "config.toml" in result.output and "not found" in result.output
    assert "ok    config file" not in result.output
    assert list(tmp_path.rglob("*.db")) == []
    # An explicit --config that is not there is named as given.
    named = invoke("--config", str(tmp_path / "elsewhere.toml"), *command)
    assert named.exit_code == 1 and f"{tmp_path / 'elsewhere.toml'}: config file not found" in named.output
    assert list(tmp_path.rglob("*.db")) == []


async def test_doctor_names_the_config_file_it_read(tmp_path: Path) -> None:
    db = tmp_path / "bot.db"
    engine = make_engine(f"sqlite+aiosqlite:///{db}")
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()
    config = config_for(tmp_path, f"sqlite+aiosqlite:///{db}")
    result = await asyncio.to_thread(invoke, "--config", str(config), "doctor")
    assert f"ok    config file {config} parsed and valid" in result.output


@pytest.mark.parametrize(
    ("args", "complaint"),
    [
        (("run", "--log-level", "loud"), "Invalid value for '--log-level'"),
        (("run", "--port", "99999"), "Invalid value for '--port'"),
        (("run", "--port", "-1"), "Invalid value for '--port'"),
        (("sandbox", "--port", "70000"), "Invalid value for '--port'"),
    ],
)
def test_option_values_are_checked_by_the_cli(args: tuple[str, ...], complaint: str, tmp_path: Path) -> None:
    result = invoke(*args, cwd=tmp_path)
    assert result.exit_code == 2, result.output
    assert complaint in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("db", "complaint"),
    [
        ("mysql://localhost/bot", "not a database URL this bot supports"),
        ("some/path.db", "the folder some does not exist"),  # the example of issue 12
        ("no/such/folder/bot.db", "folder no/such/folder does not exist"),
    ],
)
def test_sandbox_db_that_is_neither_a_url_nor_a_usable_path(db: str, complaint: str, tmp_path: Path) -> None:
    result = invoke("sandbox", "--db", db, cwd=tmp_path)
    assert result.exit_code == 2, result.output
    assert "Invalid value for '--db'" in result.output and complaint in result.output


def test_sandbox_db_as_a_path_is_that_sqlite_file(tmp_path: Path) -> None:
    script = tmp_path / "s.txt"
    script.write_text("as carol\n/ambassador status\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "sandbox", "--script", str(script), "--db", "mine.db"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "You have not applied yet" in result.stdout
    assert (tmp_path / "mine.db").is_file()
    tables = sqlite3.connect(tmp_path / "mine.db").execute("SELECT name FROM sqlite_master").fetchall()
    assert ("outbox",) in tables  # the sandbox migrated the file it was given


async def test_an_unexpected_error_is_one_line_and_a_log_file(tmp_path: Path) -> None:
    """A damaged database (a table dropped behind the bot's back) is not a user error the CLI can
    explain: one line with the log file's path on the terminal, the traceback in that file."""
    db = tmp_path / "bot.db"
    engine = make_engine(f"sqlite+aiosqlite:///{db}")
    try:
        await upgrade(engine)
        async with engine.begin() as conn:
            await conn.execute(text("DROP TABLE outbox"))
    finally:
        await engine.dispose()
    config = config_for(tmp_path, f"sqlite+aiosqlite:///{db}")
    # The installed entry point, as a person runs it: stderr is what they see.
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "--config", str(config), "outbox", "failures"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    lines = (result.stdout + result.stderr).strip().splitlines()
    assert len(lines) == 1, lines
    assert "Traceback" not in lines[0]
    found = re.search(r"details are in (\S+\.log)", lines[0])
    assert found is not None, lines[0]
    log = Path(found.group(1))
    try:
        details = log.read_text(encoding="utf-8")
        assert "Traceback" in details and "no such table: outbox" in details
        assert log.stat().st_mode & 0o077 == 0  # only the user can read it
    finally:
        log.unlink()


@pytest.mark.parametrize(
    "url",
    ["sqlite+aiosqlite:///{tmp}/no/such/folder/bot.db", "postgresql+asyncpg://bot:pw@127.0.0.1:9/bot"],
    ids=["sqlite-folder-missing", "postgres-refused"],
)
@pytest.mark.parametrize("command", [("migrate",), ("backup",)], ids=lambda c: " ".join(c))
def test_a_database_out_of_reach_is_one_line(command: tuple[str, ...], url: str, tmp_path: Path) -> None:
    result = invoke("--config", str(config_for(tmp_path, url.format(tmp=tmp_path))), *command)
    assert result.exit_code == 1, result.output
    assert len(result.output.strip().splitlines()) == 1, result.output
    assert "check [database] url" in result.output
    assert "pw@" not in result.output and "Traceback" not in result.output


def test_sandbox_with_a_database_out_of_reach_is_one_line(tmp_path: Path) -> None:
    result = invoke("sandbox", "--db", "postgresql+asyncpg://bot:pw@127.0.0.1:9/bot", cwd=tmp_path)
    assert result.exit_code == 1, result.output
    assert len(result.output.strip().splitlines()) == 1, result.output
    assert "cannot use the database postgresql+asyncpg://bot:***@127.0.0.1:9/bot" in result.output


def test_run_with_a_database_out_of_reach_is_one_line(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        '[database]\nurl = "postgresql+asyncpg://bot:pw@127.0.0.1:9/bot"\n'
        '[slack]\nbot_token = "xoxb-1"\nsigning_secret = "s3cret-signing"\nmoderator_channel = "C1"\n',
        encoding="utf-8",
    )
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "--config", str(config), "run"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCOURSE_"))},
    )
    assert result.returncode == 1
    lines = (result.stdout + result.stderr).strip().splitlines()
    assert len(lines) == 1 and "cannot use the database" in lines[0], lines


def test_sync_discourse_on_a_database_without_the_schema_says_run_migrate(
    db_url: str, tmp_path: Path
) -> None:
    path = sqlite_file(db_url)
    if path is not None:
        sqlite3.connect(path).close()
    config = config_for(tmp_path, db_url)
    with config.open("a", encoding="utf-8") as f:
        f.write('[discourse]\nurl = "http://127.0.0.1:9"\napi_key = "k"\napi_username = "system"\n')
    result = invoke("--config", str(config), "sync", "discourse", "--no-deliver")
    assert result.exit_code == 1, result.output
    assert "run `ambassador-bot migrate`" in result.output
    assert not RAW_DATABASE_TEXT.search(result.output), result.output
