"""Start the sandbox (`open_sandbox`: both stand-ins and the bot on loopback) and drive it from a
scenario file, the demo (``demo.txt``) or the terminal (`run_sandbox`)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import tempfile
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

from sqlalchemy import func, select

from bot.config import Settings
from bot.sandbox.discourse import DiscourseActor
from bot.sandbox.http import free_port, serve_asgi
from bot.sandbox.slack import SlackActor
from bot.sandbox.terminal.cast import SIGNING_SECRET, WEBHOOK_SECRET, make_standins, sandbox_settings
from bot.sandbox.terminal.clock import SandboxClock
from bot.sandbox.terminal.program import with_program
from bot.sandbox.terminal.screen import Echo
from bot.sandbox.terminal.session import HELP, Sandbox, ask
from bot.server import create_app
from storage.models import AuditEntry

# `advance` compresses months into seconds: Slack's per-second posting limit (which the bot
# paces itself to, and the stand-in enforces) would stretch a year of weekly reminders over
# minutes of waiting, so the sandbox lifts both the same way.
POSTS_PER_SECOND = 200.0
# The demo's clock starts a week before a monthly meetup (cast.py EVENTS: the first Thursday,
# 17:00 London), so its "a week later" shows that meetup's reminders whatever today's date.
DEMO_START = datetime(2027, 1, 28, 16, 30, tzinfo=UTC)


@contextlib.asynccontextmanager
async def open_sandbox(
    db_url: str | None,
    port: int,
    echo: Echo,
    *,
    program: Settings | None = None,
    files_dir: Path | None = None,
    start: datetime | None = None,
    socket_mode: bool = False,
) -> AsyncIterator[Sandbox]:
    slack, forum = make_standins()
    slack.post_rate_per_second = slack.workspace_rate_per_second = POSTS_PER_SECOND
    clock = SandboxClock(start)
    with tempfile.TemporaryDirectory(prefix="ambassador-sandbox-") as tmp:
        url = db_url or f"sqlite+aiosqlite:///{Path(tmp) / 'sandbox.db'}"
        async with slack.serve() as slack_url, forum.serve() as forum_url:
            port = port or free_port()
            settings = sandbox_settings(url, slack_url, forum_url).replace(
                server={"port": port, "public_url": f"http://127.0.0.1:{port}"},
                outbox={
                    "slack_posts_per_second": POSTS_PER_SECOND,
                    "slack_workspace_posts_per_second": POSTS_PER_SECOND,
                },
            )
            if socket_mode:  # Slack's side over the stand-in's Socket Mode WebSocket
                settings = settings.replace(slack={"app_token": slack.app_token})
            if program is not None:
                settings = with_program(settings, program)
            app = create_app(settings, auto_migrate=True, clock=clock)
            async with serve_asgi(app, port=port) as bot_url:
                async with SlackActor(
                    slack, bot_url, SIGNING_SECRET, settings.slack.command, socket_mode=socket_mode
                ) as actor:
                    forum_actor = DiscourseActor(bot_url, WEBHOOK_SECRET)
                    sb = Sandbox(
                        settings, slack, forum, actor, forum_actor, app.state.runtime, echo, clock=clock
                    )
                    sb.files_dir = files_dir
                    await _resume_clock(sb)
                    echo(
                        f"Sandbox: bot on {bot_url}, Slack stand-in on {slack_url}, "
                        f"forum stand-in on {forum_url}"
                    )
                    if socket_mode:
                        echo(f"Slack talks to the bot over Socket Mode ({slack.socket_mode.base_url}).")
                    echo(
                        "People: alice and bob (members), carol (moderator), dave (only on the "
                        "forum). Type `help` for commands."
                    )
                    if program is not None:
                        echo("Your program's settings are in use; Slack and the forum are the stand-ins.")
                    yield sb


async def _resume_clock(sb: Sandbox) -> None:
    """A program kept with --db goes on from the latest moment in its audit log, where ``advance``
    records the time it let pass: the program's time never rolls back between runs."""
    async with sb.runtime.uow() as uow:
        latest = (await uow.session.execute(select(func.max(AuditEntry.at)))).scalar_one()
    if latest is not None:
        sb.clock.set(latest if latest.tzinfo else latest.replace(tzinfo=UTC))


def demo_script() -> str:
    return resources.files("bot.sandbox").joinpath("demo.txt").read_text(encoding="utf-8")


async def play(sb: Sandbox, lines: list[str], echo: Echo, check: bool = False) -> int | None:
    """Play ``lines``; None when one of them quits. With ``check``, stop at the first line that
    fails: its number, the line and why, and 1 (else 0)."""
    for number, line in enumerate(lines, 1):
        if line.strip():
            echo(f"{sb.me}> {line}" if not line.startswith("#") else line)
        if not await sb.do(line):
            return None
        if check and sb.failure is not None:
            echo(f"line {number} failed: {line.strip()}: {sb.failure}")
            return 1
    return 0


def read_script(path: str) -> list[str]:
    """The scenario's lines; an OSError or a UnicodeDecodeError when it can't be read."""
    return Path(path).read_text(encoding="utf-8").splitlines()


async def run_sandbox(
    script: str | None,
    db_url: str | None,
    port: int,
    verbose: bool,
    demo: bool = False,
    *,
    socket_mode: bool = False,
    program: Settings | None = None,
) -> int:
    """0 when all went well, 1 when a line of ``script`` failed, 2 when it can't be read."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.ERROR, format="  (log) %(name)s: %(message)s"
    )

    def echo(text: str) -> None:
        print(text, flush=True)

    lines: list[str] | None = None
    if script is not None:
        try:
            lines = await asyncio.to_thread(read_script, script)
        except OSError as err:
            print(f"cannot read the script {script}: {err.strerror or err}", file=sys.stderr)
            return 2
        except UnicodeDecodeError as err:
            why = f"it is not UTF-8 text (byte 0x{err.object[err.start]:02x} at position {err.start})"
            print(f"cannot read the script {script}: {why}", file=sys.stderr)
            return 2
    start = DEMO_START if demo and db_url is None else None
    async with open_sandbox(db_url, port, echo, program=program, start=start, socket_mode=socket_mode) as sb:
        if lines is not None:
            return (await play(sb, lines, echo, check=True)) or 0
        if demo:
            if await play(sb, demo_script().splitlines(), echo) is None or not sys.stdin.isatty():
                return 0
            echo("\nThe demo is done; the sandbox is yours. Try `as bob` and `/ambassador apply`.")
        echo(HELP)
        await _prompt(sb, echo, kept=db_url is not None)
    return 0


async def _prompt(sb: Sandbox, echo: Echo, kept: bool) -> None:
    while True:
        try:
            line = await ask(f"{sb.me}> ")
        except EOFError:
            echo("")
            return
        except KeyboardInterrupt:
            if await _really_leave(kept):
                return
            continue
        if not await sb.do(line, interactive=True):
            return


async def _really_leave(kept: bool) -> bool:
    """Ctrl-C at the prompt asks first; Ctrl-C again (or end of input) leaves."""
    what = (
        "The program is kept in the --db database."
        if kept
        else ("The program is thrown away (use --db FILE to keep it).")
    )
    try:
        answer = await ask(f"\nLeave the sandbox? {what} [y/N] ")
    except (EOFError, KeyboardInterrupt):
        return True
    return answer.strip().lower() in ("y", "yes")
