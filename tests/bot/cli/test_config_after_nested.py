"""`--config PATH` after a nested subcommand is the group's option (README: "with every command"):
`export groups --config x`, `outbox failures --config x`, … read x, and say so when it is missing,
instead of click's "No such option: --config"."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main

NESTED = [
    ("export", "groups"),
    ("export", "groups", "--format", "json"),
    ("export", "ambassadors", "--format", "json"),
    ("export", "directory"),
    ("export", "person", "alice"),
    ("outbox", "failures"),
    ("outbox", "retry"),
    ("sync", "discourse"),
]


@pytest.mark.parametrize("command", NESTED, ids=" ".join)
@pytest.mark.parametrize("form", ["separate", "equals"])
def test_config_after_a_nested_command_names_that_file(
    command: tuple[str, ...], form: str, tmp_path: Path
) -> None:
    missing = tmp_path / "nowhere.toml"
    flag = ["--config", str(missing)] if form == "separate" else [f"--config={missing}"]
    result = CliRunner().invoke(main, [*command, *flag])
    assert result.exit_code == 1, result.output
    assert result.output.strip() == f"Error: config error: {missing}: config file not found (copy " + (
        "config.example.toml to start)"
    )


def test_config_after_a_nested_command_is_read(tmp_path: Path) -> None:
    db = tmp_path / "there.db"
    config = tmp_path / "there.toml"
    config.write_text(f'[database]\nurl = "sqlite+aiosqlite:///{db}"\n', encoding="utf-8")
    assert CliRunner().invoke(main, ["migrate", "--config", str(config)]).exit_code == 0
    result = CliRunner().invoke(main, ["outbox", "failures", "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert result.output == "No failed or retrying deliveries.\n"
