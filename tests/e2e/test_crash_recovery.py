"""The bot process is killed in the middle of a delivery and started again: every action still
arrives, none twice."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from bot.sandbox.http import free_port, serve_asgi
from bot.sandbox.slack_standin import SlackActor
from storage.db import make_engine, make_sessionmaker
from storage.models import OutboxMessage
from tests.stack import (
    ALICE,
    BADGE_ID,
    BOT_TOKEN,
    FORUM_KEY,
    GROUP,
    MOD,
    MOD_CHANNEL,
    SIGNING_SECRET,
    WEBHOOK_SECRET,
    make_standins,
)

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


def write_config(path: Path, db_url: str, port: int, slack_url: str, forum_url: str) -> None:
    path.write_text(
        f"""
[server]
host = "127.0.0.1"
port = {port}
[database]
url = "{db_url}"
[slack]
bot_token = "{BOT_TOKEN}"
signing_secret = "{SIGNING_SECRET}"
api_url = "{slack_url}/api/"
moderator_channel = "{MOD_CHANNEL}"
moderators = ["{MOD}"]
[discourse]
url = "{forum_url}"
api_key = "{FORUM_KEY}"
api_username = "system"
webhook_secret = "{WEBHOOK_SECRET}"
ambassador_badge_id = {BADGE_ID}
ambassador_group = "{GROUP}"
admin_requests_per_minute = 600
[outbox]
poll_seconds = 0.1
lease_seconds = 1
base_backoff_seconds = 0.2
max_backoff_seconds = 1
""",
        encoding="utf-8",
    )


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


async def _waiting(db_url: str) -> int:
    engine = make_engine(db_url)
    try:
        async with make_sessionmaker(engine)() as s:
            stmt = select(func.count()).where(OutboxMessage.status.in_(("pending", "in_flight")))
            return int((await s.execute(stmt)).scalar_one())
    finally:
        await engine.dispose()


async def _eventually(check: Callable[[], Awaitable[bool]], what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)


@pytest.fixture
async def bot_env(db_url: str, tmp_path: Path) -> AsyncIterator[dict[str, Any]]:
    slack, forum = make_standins()
    stall = StallAfterEffect(forum.app, "POST", "/user_badges")
    async with serve_asgi(slack.app) as slack_url, serve_asgi(stall) as forum_url:
        slack.base_url, forum.base_url = slack_url, forum_url
        port = free_port()
        config = tmp_path / "config.toml"
        write_config(config, db_url, port, slack_url, forum_url)
        bot = BotProcess(config, port, tmp_path / "bot.log")
        try:
            yield {
                "slack": slack,
                "forum": forum,
                "stall": stall,
                "bot": bot,
                "url": f"http://127.0.0.1:{port}",
            }
        finally:
            stall.release.set()
            bot.stop()


async def test_killed_mid_delivery_then_restarted_delivers_everything_exactly_once(
    bot_env: dict[str, Any], db_url: str
) -> None:
    slack, forum, stall, bot = bot_env["slack"], bot_env["forum"], bot_env["stall"], bot_env["bot"]
    migrated = bot.cli("migrate")  # the documented step for PostgreSQL; harmless on SQLite
    assert migrated.returncode == 0, migrated.stderr
    assert "latest" in migrated.stdout
    await bot.start()
    async with SlackActor(slack, bot_env["url"], SIGNING_SECRET) as actor:
        await actor.slash(ALICE, "apply")
        await _eventually(lambda: _async(slack.last_view_for(ALICE) is not None), "the modal")
        view = slack.last_view_for(ALICE)
        assert view is not None
        answers = {
            "name": "Alice",
            "forum_username": "alice",
            "location": "Lisbon",
            "timezone": "Europe/Lisbon",
            "expertise": "Kubernetes",
            "motivation": "Helping newcomers.",
        }
        resp = await actor.submit_view(ALICE, view["id"], {k: {k: v} for k, v in answers.items()})
        assert resp.status_code == 200
        await _eventually(lambda: _async(bool(slack.messages_in(MOD_CHANNEL))), "the review message")
        review = slack.messages_in(MOD_CHANNEL)[-1]
        await actor.click(MOD, MOD_CHANNEL, review["ts"], "application_approve")

        # The forum grants the badge but its answer never reaches the bot; the bot dies waiting.
        await asyncio.wait_for(stall.stalled.wait(), timeout=30)
        assert forum.badges_of("alice") == ["Ambassador"]
        bot.kill()
        stall.release.set()

        await bot.start()
        await _eventually(lambda: _waiting_is_zero(db_url), "the outbox to drain after restart", timeout=60)

    assert forum.badges_of("alice") == ["Ambassador"]
    holders = [ub for ub in forum.user_badges if ub["badge_id"] == BADGE_ID]
    assert len(holders) == 1
    assert len(forum.calls_to("POST", "/user_badges")) == 1  # checked, not granted again
    assert forum.calls_to("GET", "/user-badges/alice")
    assert "alice" in forum.members_of(GROUP)
    assert len(slack.dms_to(ALICE)) == 1
    updated = slack.find_message(MOD_CHANNEL, review["ts"])
    assert updated is not None and "approved" in updated["text"]


async def _waiting_is_zero(db_url: str) -> bool:
    return await _waiting(db_url) == 0


async def _async(value: bool) -> bool:
    return value


async def test_a_slack_post_that_landed_before_a_crash_is_not_posted_again(db_url: str) -> None:
    """The welcome DM reached Slack but the bot died before recording it: on the next attempt the
    worker finds its own marker in the conversation and records it instead of posting again."""
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import update

    from tests.stack import start_stack

    async with start_stack(db_url) as stack:
        review = await stack.apply()
        await stack.actor.click(MOD, MOD_CHANNEL, review["ts"], "application_approve")
        await stack.settle()
        assert len(stack.slack.dms_to(ALICE)) == 1
        # Put every delivered Slack post back as "claimed by a worker that died mid-call".
        past = datetime.now(UTC) - timedelta(minutes=5)
        async with stack.runtime.uow() as uow:
            await uow.session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.kind.in_(("slack.dm", "slack.post")))
                .values(
                    status="in_flight",
                    attempts=1,
                    locked_until=past,
                    locked_by="dead-worker",
                    delivered_at=None,
                )
            )
        await stack.settle()
        assert len(stack.slack.dms_to(ALICE)) == 1
        assert len(stack.slack.messages_in(MOD_CHANNEL)) == 1
        assert stack.slack.calls_to("conversations.history")  # it looked before posting
        rows = [r for r in await stack.outbox_rows() if r.kind in ("slack.dm", "slack.post")]
        assert rows and all(r.status == "delivered" and (r.result or {}).get("recovered") for r in rows)
