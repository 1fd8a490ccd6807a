"""Start the sandbox (`open_sandbox`: both stand-ins and the bot on loopback) and drive it from a
scenario file, the demo (``demo.txt``) or the terminal (`run_sandbox`)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import tempfile
from collections.abc import AsyncIterator
from importlib import resources
from pathlib import Path

from bot.sandbox.discourse import DiscourseActor
from bot.sandbox.http import free_port, serve_asgi
from bot.sandbox.slack import SlackActor
from bot.sandbox.terminal.cast import SIGNING_SECRET, WEBHOOK_SECRET, make_standins, sandbox_settings
from bot.sandbox.terminal.screen import Echo
from bot.sandbox.terminal.session import HELP, Sandbox, ask
from bot.server import create_app


@contextlib.asynccontextmanager
async def open_sandbox(
    db_url: str | None, port: int, echo: Echo, *, socket_mode: bool = False
) -> AsyncIterator[Sandbox]:
    slack, forum = make_standins()
    with tempfile.TemporaryDirectory(prefix="ambassador-sandbox-") as tmp:
        url = db_url or f"sqlite+aiosqlite:///{Path(tmp) / 'sandbox.db'}"
        async with slack.serve() as slack_url, forum.serve() as forum_url:
            port = port or free_port()
            settings = sandbox_settings(url, slack_url, forum_url).replace(
                server={"port": port, "public_url": f"http://127.0.0.1:{port}"}
            )
            if socket_mode:  # Slack's side over the stand-in's Socket Mode WebSocket
                settings = settings.replace(slack={"app_token": slack.app_token})
            app = create_app(settings, auto_migrate=True)
            async with serve_asgi(app, port=port) as bot_url:
                async with SlackActor(
                    slack, bot_url, SIGNING_SECRET, settings.slack.command, socket_mode=socket_mode
                ) as actor:
                    forum_actor = DiscourseActor(bot_url, WEBHOOK_SECRET)
                    sb = Sandbox(settings, slack, forum, actor, forum_actor, app.state.runtime, echo)
                    echo(
                        f"Sandbox: bot on {bot_url}, Slack stand-in on {slack_url}, "
                        f"forum stand-in on {forum_url}"
                    )
                    if socket_mode:
                        echo(f"Slack talks to the bot over Socket Mode ({slack.socket_mode.base_url}).")
                    echo("People: alice and bob (members), carol (moderator). Type `help` for commands.")
                    yield sb


def demo_script() -> str:
    return resources.files("bot.sandbox").joinpath("demo.txt").read_text(encoding="utf-8")


async def _play(sb: Sandbox, lines: list[str], echo: Echo) -> bool:
    for line in lines:
        if line.strip():
            echo(f"{sb.me}> {line}" if not line.startswith("#") else line)
        if not await sb.do(line):
            return False
    return True


async def run_sandbox(
    script: str | None,
    db_url: str | None,
    port: int,
    verbose: bool,
    demo: bool = False,
    *,
    socket_mode: bool = False,
) -> int:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.ERROR, format="  (log) %(name)s: %(message)s"
    )

    def echo(text: str) -> None:
        print(text, flush=True)

    async with open_sandbox(db_url, port, echo, socket_mode=socket_mode) as sb:
        if script is not None:
            await _play(
                sb, (await asyncio.to_thread(Path(script).read_text, encoding="utf-8")).splitlines(), echo
            )
            return 0
        if demo:
            if not await _play(sb, demo_script().splitlines(), echo):
                return 0
            if not sys.stdin.isatty():
                return 0
            echo("\nThe demo is done; the sandbox is yours. Try `as bob` and `/ambassador apply`.")
        echo(HELP)
        while True:
            try:
                line = await ask(f"{sb.me}> ")
            except (EOFError, KeyboardInterrupt):
                echo("")
                break
            if not await sb.do(line, interactive=True):
                break
    return 0
