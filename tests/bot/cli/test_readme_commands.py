"""Every example in the README's command table is a command line the CLI accepts: the command
exists and takes those options (run with `--help`, so nothing touches a database)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main

README = Path(__file__).resolve().parents[3] / "README.md"


def _examples() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## The `ambassador-bot` command") :]
    section = section[: section.index("\n## ", 1)]
    return re.findall(r"^\| `[^`]+` \| `(ambassador-bot [^`]+)` \|", section, flags=re.M)


def test_the_table_has_the_getting_started_rows() -> None:
    examples = _examples()
    for wanted in ("ambassador-bot init", "ambassador-bot manifest", "ambassador-bot --version"):
        assert any(e.startswith(wanted) for e in examples), wanted
    assert any("export groups --format json" in e for e in examples)


@pytest.mark.parametrize("example", _examples())
def test_a_readme_example_is_accepted(example: str) -> None:
    args = shlex.split(example)[1:]
    result = CliRunner().invoke(main, args if args == ["--version"] else [*args, "--help"])
    assert result.exit_code == 0, f"{example}: {result.output}"
