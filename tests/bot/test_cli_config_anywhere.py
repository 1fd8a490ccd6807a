"""`--config PATH` works before or after the subcommand (the public CLI contract in DESIGN.md):
`ambassador-bot migrate --config prod.toml` reads prod.toml, as `ambassador-bot --config prod.toml
migrate` does, instead of "No such option: --config"."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main


def _config(tmp_path: Path) -> tuple[Path, Path]:
    db = tmp_path / "elsewhere.db"
    config = tmp_path / "prod.toml"
    config.write_text(f'[database]\nurl = "sqlite+aiosqlite:///{db}"\n', encoding="utf-8")
    return config, db


@pytest.mark.parametrize(
    "where",
    [
        lambda c: ["--config", c, "migrate"],
        lambda c: ["migrate", "--config", c],
        lambda c: ["migrate", f"--config={c}"],
    ],
    ids=["before", "after", "after-with-equals"],
)
def test_config_before_or_after_the_subcommand(where, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    config, db = _config(tmp_path)
    result = CliRunner().invoke(main, where(str(config)), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    tables = {r[0] for r in sqlite3.connect(db).execute("SELECT name FROM sqlite_master")}
    assert "alembic_version" in tables  # the database named in prod.toml was migrated


def test_config_after_a_nested_subcommand_is_the_config_file(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.toml"
    result = CliRunner().invoke(main, ["outbox", "failures", "--config", str(missing)])
    assert result.exit_code == 1
    assert f"{missing}: config file not found" in result.output
