"""A bot run as a real subprocess (``python -m bot.cli run``) against the stand-ins, for the
tests that kill, stop or duplicate the process; and the config file such a process reads
(`write_config`), which the benchmarks' bot processes use too."""

# It starts the bot's own CLI (no untrusted input) with Popen on purpose: the loop keeps serving the
# stand-ins while the child starts.
# ruff: noqa: S603, ASYNC109, ASYNC220

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select

from bot.sandbox.harness.stack import (
    TomlValue,
    platform_sections,
)
from storage.db import make_engine, make_sessionmaker
from storage.models import OutboxMessage

ASGIApp = Callable[
    [dict[str, Any], Callable[[], Awaitable[Any]], Callable[[Any], Awaitable[None]]], Awaitable[None]
]


class StallAfterEffect:
    """Wraps the forum stand-in: the matching request takes effect, but its answer never leaves
    (until released), as when the bot dies while waiting for the forum's response."""

    def __init__(self, app: ASGIApp, method: str, path_prefix: str) -> None:
        self.app, self.method, self.prefix = app, method, path_prefix
        self.armed = True
        self.stalled = asyncio.Event()
        self.release = asyncio.Event()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if not (
            self.armed
            and scope["type"] == "http"
            and scope["method"] == self.method
            and scope["path"].startswith(self.prefix)
        ):
            await self.app(scope, receive, send)
            return
        self.armed = False

        async def held_send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                self.stalled.set()
                await self.release.wait()
            await send(message)

        await self.app(scope, receive, held_send)


Sections = dict[str, dict[str, TomlValue]]


def config_sections(db_url: str, port: int, slack_url: str, forum_url: str) -> Sections:
    """The config of a bot subprocess wired to the stand-ins, section by section."""
    return {
        "server": {"host": "127.0.0.1", "port": port},
        "database": {"url": db_url},
        **platform_sections(slack_url, forum_url),
        "outbox": {
            "poll_seconds": 0.1,
            "lease_seconds": 1,
            "base_backoff_seconds": 0.2,
            "max_backoff_seconds": 1,
        },
    }


def _toml_value(value: TomlValue) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return json.dumps(value)  # a string or a list of strings: JSON's escapes are TOML's


def render_toml(sections: Mapping[str, Mapping[str, TomlValue]]) -> str:
    lines = [""]
    for name, values in sections.items():
        lines.append(f"[{name}]")
        lines.extend(f"{key} = {_toml_value(value)}" for key, value in values.items())
    return "\n".join(lines) + "\n"


def write_config(
    path: Path,
    db_url: str,
    port: int,
    slack_url: str,
    forum_url: str,
    extra: str = "",
    **changes: Mapping[str, TomlValue | None] | None,
) -> None:
    """Write `config_sections` to `path`. Each keyword names a section: its keys are set (a key
    given None is removed), a section given None is left out. `extra` is appended TOML (its first
    lines still belong to the last section, [outbox], unless it opens a table)."""
    sections = config_sections(db_url, port, slack_url, forum_url)
    for name, values in changes.items():
        if values is None:
            sections.pop(name, None)
            continue
        section = sections.setdefault(name, {})
        for key, value in values.items():
            if value is None:
                section.pop(key, None)
            else:
                section[key] = value
    path.write_text(render_toml(sections) + extra, encoding="utf-8")


class BotProcess:
    def __init__(self, config: Path, port: int, log: Path) -> None:
        self.config, self.port, self.log = config, port, log
        self.proc: subprocess.Popen[bytes] | None = None

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bot.cli", "--config", str(self.config), *args],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    async def start(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCOURSE_"))}
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "bot.cli",
                    "--config",
                    str(self.config),
                    "run",
                    "--log-level",
                    "warning",
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
            )
        deadline = time.monotonic() + 30
        async with httpx.AsyncClient() as http:
            while time.monotonic() < deadline:
                try:
                    if (await http.get(f"http://127.0.0.1:{self.port}/healthz")).status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                assert self.proc.poll() is None, self.log.read_text()
                await asyncio.sleep(0.1)
        raise AssertionError("bot did not start: " + self.log.read_text())

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()


async def waiting_rows(db_url: str) -> int:
    engine = make_engine(db_url)
    try:
        async with make_sessionmaker(engine)() as s:
            stmt = select(func.count()).where(OutboxMessage.status.in_(("pending", "in_flight")))
            return int((await s.execute(stmt)).scalar_one())
    finally:
        await engine.dispose()


async def eventually(check: Callable[[], Awaitable[bool]], what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)
