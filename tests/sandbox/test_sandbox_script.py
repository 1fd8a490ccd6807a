"""``sandbox --script`` is a check (it stops at the first line that fails; ``expect`` allows an
expected refusal), ``--config`` runs your program settings, Ctrl-C asks before leaving, and the
demo tour runs green."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from bot.config import load_settings
from bot.sandbox.terminal import run as sandbox_run
from bot.sandbox.terminal.run import DEMO_START, demo_script, open_sandbox, play
from tests.sandbox.test_terminal import assert_shown, welcome_part


def sandbox_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "sandbox", *args],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def test_a_script_stops_at_its_first_failing_line_with_status_1(tmp_path: Path) -> None:
    script = tmp_path / "s.txt"
    script.write_text("as carol\n/ambassador status\ndance\n/ambassador status\n", encoding="utf-8")
    result = sandbox_cli("--script", str(script))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "line 3 failed: dance: unknown sandbox command 'dance'" in result.stdout
    assert result.stdout.count("carol> /ambassador status") == 1  # line 4 never ran
    assert "Traceback" not in result.stdout + result.stderr


def test_a_script_that_cannot_be_read_exits_2(tmp_path: Path) -> None:
    script = tmp_path / "latin1.txt"
    script.write_bytes("as carol\n# caf\xe9\n".encode("latin-1"))
    result = sandbox_cli("--script", str(script))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"cannot read the script {script}: it is not UTF-8 text (byte 0xe9 at position 14)"
    ]


async def test_a_refusal_fails_a_script_line_unless_expected() -> None:
    out: list[str] = []
    async with open_sandbox(None, 0, out.append) as sb:
        refused = await play(sb, ["as bob", "/ambassador report"], out.append, check=True)
        allowed = await play(
            sb, ["expect only moderators", "/ambassador report", "as carol"], out.append, check=True
        )
        unmet = await play(sb, ["expect Program report", "/ambassador status"], out.append, check=True)
        missing = await play(sb, ["/ambassador apply", "submit"], out.append, check=True)
    text = "\n".join(out)
    assert (refused, allowed, unmet, missing) == (1, 0, 1, 1)
    assert_shown(
        text,
        "line 2 failed: /ambassador report: the bot refused it",
        "line 2 failed: /ambassador status: expected 'Program report' in the answer",
        "line 2 failed: submit: 6 required fields still empty: Your name (name), Forum username",
    )


async def test_config_runs_your_program_on_the_sandbox_platforms(tmp_path: Path) -> None:
    config = tmp_path / "mine.toml"
    config.write_text(
        '[slack]\nbot_token = "xoxb-my-real-workspace"\nmoderators = ["U0REALMOD"]\n'
        '[discourse]\nurl = "https://forum.example.org"\napi_key = "real-key"\nsync_hour_utc = 5\n'
        '[program]\nname = "Rust Ambassadors"\n[renewals]\nreminder_days = [14]\n',
        encoding="utf-8",
    )
    out: list[str] = []
    async with open_sandbox(None, 0, out.append, program=load_settings(config, env={})) as sb:
        await sb.do("show home")
        settings = sb.settings
        slack_url = sb.slack.base_url
    assert_shown("\n".join(out), "[Home tab of alice] Rust Ambassadors")
    assert settings.program.name == "Rust Ambassadors"
    assert settings.renewals.reminder_days == (14,)
    assert settings.discourse.sync_hour_utc == 5
    # the connection stays the sandbox's: its stand-ins, tokens and moderators
    assert settings.slack.api_url.startswith(slack_url)
    assert settings.slack.bot_token == "xoxb-sandbox" and settings.slack.moderators == ("U0CAROL",)
    assert settings.discourse.url.startswith("http://127.0.0.1:") and settings.discourse.api_key != "real-key"


@pytest.mark.parametrize(("answers", "left"), [(["n"], False), (["y"], True), ([EOFError()], True)])
async def test_ctrl_c_at_the_prompt_asks_before_leaving(
    monkeypatch: pytest.MonkeyPatch, answers: list[object], left: bool
) -> None:
    asked: list[str] = []
    typed: list[object] = [KeyboardInterrupt(), *answers, "now", "quit"]

    async def ask(prompt: str) -> str:  # the person at the terminal, one answer per prompt
        asked.append(prompt)
        answer = typed.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        return str(answer)

    monkeypatch.setattr(sandbox_run, "ask", ask)
    out: list[str] = []
    async with open_sandbox(None, 0, out.append) as sb:
        await sandbox_run._prompt(sb, out.append, kept=False)
    assert asked[1] == "\nLeave the sandbox? The program is thrown away (use --db FILE to keep it). [y/N] "
    assert any("[clock]" in line for line in out) is not left  # stayed: the next line ran


async def test_the_demo_tour_runs_green_as_a_script() -> None:
    out: list[str] = []
    async with open_sandbox(None, 0, out.append, start=DEMO_START) as sb:
        status = await play(sb, demo_script().splitlines(), out.append, check=True)
    text = "\n".join(out)
    assert status == 0, text[-3000:]
    assert_shown(
        text,
        "[only bob sees] Only moderators can review applications.",
        "[DM to alice] 🎉 Welcome to Community Ambassadors",
        "[Home tab of alice] Community Ambassadors",
        "Going: 1 · Maybe: 0 · Not going: 0",
        "(in 60 days). Renew to stay on",
        "form opened: Renew your term",
    )


async def test_db_keeps_the_program_and_its_clock_between_runs(tmp_path: Path) -> None:
    db = f"sqlite+aiosqlite:///{tmp_path / 'kept.db'}"
    approved = [*welcome_part()[: welcome_part().index("show forum")], "as alice", "advance 3d"]
    first: list[str] = []
    async with open_sandbox(db, 0, first.append, start=DEMO_START) as sb:
        for line in approved:
            await sb.do(line)
        left_at = sb.clock.now()
    again: list[str] = []
    async with open_sandbox(db, 0, again.append) as sb:
        resumed_at = sb.clock.now()
        await sb.do("/ambassador status")
        await sb.do("show dms")
    text = "\n".join(again)
    assert resumed_at >= left_at - timedelta(seconds=5)  # the program's time does not roll back
    assert_shown(text, "*You are an ambassador* until 2029-01-28")
    assert "Welcome to" not in text  # the stand-ins start afresh: earlier DMs are not kept
