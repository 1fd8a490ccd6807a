"""The sandbox a new user starts: the demo scenario plays through and shows what a person sees."""

from __future__ import annotations

import contextlib
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

from bot.sandbox.terminal.run import demo_script, open_sandbox
from bot.sandbox.terminal.session import Sandbox


def assert_shown(out: str, *texts: str) -> None:
    """Every one of ``texts`` is in the sandbox's output (the missing ones are named)."""
    missing = [t for t in texts if t not in out]
    assert not missing, f"not shown: {missing}\n--- output ---\n{out}"


def welcome_part(script: str | None = None) -> list[str]:
    """The demo up to where time starts to pass: apply, the refusal, approval, welcome, Home tab."""
    lines = (script or demo_script()).splitlines()
    first_advance = next(i for i, line in enumerate(lines) if line.startswith("advance"))
    return lines[:first_advance]


@contextlib.asynccontextmanager
async def played(lines: list[str], out: list[str]) -> AsyncIterator[Sandbox]:
    """A fresh sandbox that has played ``lines`` (each one answered), printing into ``out``."""
    async with open_sandbox(None, 0, out.append) as sb:
        for line in lines:
            assert await sb.do(line)
        yield sb


async def test_demo_scenario_shows_apply_review_refusal_approval_and_welcome() -> None:
    lines: list[str] = []
    async with played(welcome_part(), lines) as sb:
        badges = sb.forum.badges_of("alice")
        members = sb.forum.members_of("ambassadors")
    out = "\n".join(lines)
    assert_shown(
        out,
        "form opened: Ambassador application",
        "[#moderators] Ambassador application #1",
        "[only bob sees] Only moderators can review applications.",
        "[DM to alice] 🎉 Welcome to Community Ambassadors",
        "[forum] POST /user_badges → 200",
        "group ambassadors: alice",
        "Onboarding: 1 of 4 done",
    )
    assert badges == ["Ambassador"] and members == {"alice"}


async def test_sandbox_mistakes_get_clear_answers() -> None:
    lines: list[str] = []
    mistakes = ["as zed", "submit", "click Approve", "/other", "dance", "/ambassador nonsense"]
    async with played(mistakes, lines) as sb:
        assert not await sb.do("quit")
    out = "\n".join(lines)
    assert_shown(
        out,
        "who is 'zed'?",
        "no form is open for you",
        "no button 'Approve'",
        "the bot's command is /ambassador",
        "unknown sandbox command 'dance'",
        "I don't know the command `nonsense`",
    )


async def test_a_delivery_the_forum_refuses_is_shown() -> None:
    lines: list[str] = []
    script = demo_script().replace("forum_username=alice", "forum_username=zoe")
    async with played(welcome_part(script), lines):
        pass
    out = "\n".join(lines)
    assert_shown(
        out,
        "[forum] POST /user_badges → 404",
        "[delivery failed] discourse.grant_badge: Discourse refused (404)",
    )


def test_cli_runs_a_scenario_file(tmp_path: Path) -> None:
    script = tmp_path / "s.txt"
    script.write_text("as carol\n/ambassador status\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "sandbox", "--script", str(script)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "carol> /ambassador status" in result.stdout
    assert "You have not applied yet" in result.stdout


async def test_forum_side_can_be_played_in_the_sandbox() -> None:
    lines: list[str] = []
    async with played(welcome_part(), lines) as sb:
        for line in (
            "forum intro Hello, I am Alice!",
            "forum pm status",
            "forum grant Speaker",
            "forum grant Nope",
        ):
            assert await sb.do(line)
    out = "\n".join(lines)
    assert "→ HTTP 200 intro step completed" in out
    assert "**Onboarding: 2 of 4 done**" in out  # guidelines (demo) + intro
    assert_shown(
        out,
        "granted Speaker to alice → HTTP 200 granted on the forum",
        "forum badges: Ambassador, Speaker",
    )
