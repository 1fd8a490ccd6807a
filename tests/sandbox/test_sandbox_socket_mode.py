"""`ambassador-bot sandbox --socket-mode`: the same demo, with the Slack stand-in reaching the bot
over its Socket Mode WebSocket instead of HTTP."""

from __future__ import annotations

import subprocess
import sys


def test_demo_plays_through_over_socket_mode() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "sandbox", "--socket-mode", "--demo"],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Slack talks to the bot over Socket Mode (ws://127.0.0.1:" in out
    for shown in (
        "form opened: Ambassador application",
        "[#moderators] Ambassador application #1",
        "[only bob sees] Only moderators can review applications.",
        "[DM to alice] 🎉 Welcome to Community Ambassadors",
        "Onboarding: 1 of 4 done",
    ):
        assert shown in out, f"not shown: {shown!r}"
    assert "Traceback" not in result.stderr


def test_sandbox_help_names_the_socket_mode_flag() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "sandbox", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0 and "--socket-mode" in result.stdout
    assert "over Socket Mode" in result.stdout
