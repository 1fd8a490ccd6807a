"""A bot run as a real subprocess (``python -m bot.cli run``) against the stand-ins, for the
tests that kill, stop or duplicate the process; and the config file such a process reads
(`write_config`); `ServerProcess` runs the benchmarks' bot and bare-baseline processes too."""

# It starts the bot's own CLI (no untrusted input) with Popen on purpose: the loop keeps serving the
# stand-ins while the child starts.
# ruff: noqa: S603, ASYNC109, ASYNC220

from __future__ import annotations

import asyncio
import contextlib
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

from bot.sandbox.harness.stack import platform_sections
from bot.sandbox.world import TomlValue
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


def bot_argv(config: Path) -> list[str]:
    """The command line of a bot process on `config` (`python -m bot.cli run`)."""
    return [sys.executable, "-m", "bot.cli", "--config", str(config), "run", "--log-level", "warning"]


def log_tail(path: Path, lines: int = 30) -> str:
    """The last lines of a log file ("" if it cannot be read)."""
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


class ServerProcess:
    """A server process (the bot, or any other ASGI server) that answers ``GET /healthz``.

    Started with Popen, not awaited: this loop keeps serving the stand-ins while the child starts
    and runs. The tests stop it with the blocking `stop`; the benchmarks, whose bot still talks to
    the stand-ins of this loop while it shuts down, with `astop`."""

    start_timeout = 60.0

    def __init__(self, name: str, argv: list[str], port: int, log: Path) -> None:
        self.name, self.argv, self.port, self.log = name, argv, port, log
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    async def start(self) -> float:
        """Start the process and wait until it is healthy; returns how long that took (s)."""
        started = time.perf_counter()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCOURSE_"))}
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(self.argv, stdout=out, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + self.start_timeout
        async with httpx.AsyncClient() as http:
            while time.monotonic() < deadline:
                with contextlib.suppress(httpx.HTTPError):
                    if (await http.get(f"{self.url}/healthz")).status_code == 200:
                        return time.perf_counter() - started
                if self.proc.poll() is not None:
                    raise RuntimeError(f"{self.name} exited at start:\n{log_tail(self.log)}")
                await asyncio.sleep(0.05)
        raise RuntimeError(
            f"{self.name} did not become healthy in {self.start_timeout:.0f} s:\n{log_tail(self.log)}"
        )

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after 15 s; blocks this thread while the process shuts down."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    async def astop(self) -> None:
        """`stop` that keeps this loop (and the stand-ins it serves) running meanwhile."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            await asyncio.to_thread(self.proc.wait, 15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            await asyncio.to_thread(self.proc.wait)


class BotProcess(ServerProcess):
    """The bot (``python -m bot.cli run``) on `config`, listening on `port`, logging to `log`."""

    start_timeout = 30.0

    def __init__(self, config: Path, port: int, log: Path) -> None:
        super().__init__("the bot", bot_argv(config), port, log)
        self.config = config

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run another ``bot.cli`` command on the same config, to completion."""
        return subprocess.run(
            [sys.executable, "-m", "bot.cli", "--config", str(self.config), *args],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )


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
