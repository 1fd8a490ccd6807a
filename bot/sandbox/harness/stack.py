"""A running bot over real HTTP on loopback, wired to the Slack and Discourse stand-ins, with the
fixed identities (users, channels, secrets) the tests and benchmarks use; also a throwaway
PostgreSQL database and a clock moved by hand."""

# Fixed, well-known test secrets, and waits that take a timeout on purpose.
# ruff: noqa: S105, ASYNC109

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from bot.config import Settings, settings_from_mapping
from bot.program.ports import Clock
from bot.runtime import Runtime
from bot.sandbox import world
from bot.sandbox.discourse import DiscourseActor, DiscourseStandIn
from bot.sandbox.http import serve_asgi
from bot.sandbox.slack import SlackActor, SlackStandIn, blockkit
from bot.sandbox.world import Secrets, TomlValue, build_standins, listeners_running
from bot.server import create_app
from storage.models import OutboxMessage

SIGNING_SECRET = "test-signing-secret-0123"
BOT_TOKEN = "xoxb-test-token"
WEBHOOK_SECRET = "test-webhook-secret-0123"
FORUM_KEY = "test-forum-key"
SECRETS = Secrets(BOT_TOKEN, SIGNING_SECRET, FORUM_KEY, WEBHOOK_SECRET)

MOD, ALICE, BOB = "U0MOD", "U0ALICE", "U0BOB"
MOD_CHANNEL, AMB_CHANNEL, GENERAL = "C0MODS", "C0AMBS", "C0GENERAL"
BADGE_ID, GROUP = 105, "ambassadors"

_counter = itertools.count()


@contextlib.asynccontextmanager
async def pg_database(admin_url: str) -> AsyncIterator[str]:
    """A fresh PostgreSQL database for one test, dropped afterwards."""
    url = make_url(admin_url)
    name = f"ambassador_test_{os.getpid()}_{next(_counter)}_{int(time.time() * 1000) % 100000}"
    dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        conn = await asyncpg.connect(dsn)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()


def platform_sections(slack_url: str, forum_url: str) -> dict[str, dict[str, TomlValue]]:
    """The [slack] and [discourse] settings that wire a bot to the stand-ins, with these identities."""
    sections = world.platform_sections(slack_url, forum_url, SECRETS, [MOD], MOD_CHANNEL, BADGE_ID, GROUP)
    sections["discourse"]["admin_requests_per_minute"] = 600
    return sections


def test_settings(db_url: str, slack_url: str, forum_url: str, **overrides: Any) -> Settings:
    data: dict[str, Any] = {
        "database": {"url": db_url},
        **platform_sections(slack_url, forum_url),
        "program": {"guidelines_url": "https://example.org/guidelines"},
        "outbox": {
            "poll_seconds": 0.05,
            "lease_seconds": 2,
            "base_backoff_seconds": 0.2,
            "max_backoff_seconds": 1.0,
        },
    }
    data["slack"]["ambassador_channel"] = AMB_CHANNEL
    for section, values in overrides.items():
        if isinstance(values, dict):
            data.setdefault(section, {}).update(values)
        else:  # a list section such as [[events]]
            data[section] = values
    return settings_from_mapping(data, env={})


APPLICATION = {  # a complete, valid application form
    "name": "Alice Example",
    "forum_username": "alice",
    "location": "Lisbon, Portugal",
    "timezone": "Europe/Lisbon",
    "expertise": "Kubernetes, community events",
    "links": "https://github.com/alice",
    "motivation": "I run the local meetup and want to help newcomers.",
}


def form_values(answers: dict[str, str]) -> dict[str, dict[str, str]]:
    """A form's answers as `submit_view` takes them (each input is its own block)."""
    return {k: {k: v} for k, v in answers.items()}


def add_pm_topic(forum: DiscourseStandIn, title: str = "Hello bot", topic_id: int | None = None) -> int:
    """A private-message topic from forum user 1 to the bot's account; returns its id."""
    topic_id = topic_id if topic_id is not None else max(forum.topics, default=100) + 1
    created = "2026-11-23T10:00:00Z"
    return world.add_topic(
        forum, topic_id, title, slug="hello-bot", user_id=1, private_message=True, created_at=created
    )


def make_standins() -> tuple[SlackStandIn, DiscourseStandIn]:
    return build_standins(
        SECRETS,
        slack_users=((MOD, "carol"), (ALICE, "alice"), (BOB, "bob")),
        channels=((MOD_CHANNEL, "moderators"), (AMB_CHANNEL, "ambassadors"), (GENERAL, "general")),
        # Ids clear of the ones in the captured webhook fixtures (1, 4, 17, 44).
        forum_users=(("alice", 201), ("bob", 202), ("carol", 203)),
        badges=(("Ambassador", BADGE_ID),),
        group=(GROUP, 41),
    )


class FakeClock:
    """A clock the test moves by hand (the bot reads the time only through its Clock port)."""

    def __init__(self, now: datetime) -> None:
        self._now = now

    def now(self) -> datetime:
        return self._now

    def set(self, now: datetime) -> None:
        self._now = now

    def advance(self, **kwargs: float) -> None:
        self._now += timedelta(**kwargs)


@dataclass
class Stack:
    settings: Settings
    slack: SlackStandIn
    forum: DiscourseStandIn
    actor: SlackActor
    forum_actor: DiscourseActor
    bot_url: str
    runtime: Runtime

    async def outbox_waiting(self) -> int:
        async with self.runtime.uow() as uow:
            stmt = select(func.count()).where(OutboxMessage.status.in_(("pending", "in_flight")))
            return int((await uow.session.execute(stmt)).scalar_one())

    async def settle(self, timeout: float = 20.0) -> None:
        """Wait until Bolt's listeners (which run after the ack) have finished and the outbox has
        delivered (or given up on) everything queued."""
        deadline = time.monotonic() + timeout
        while listeners_running() or await self.outbox_waiting():
            if time.monotonic() > deadline:
                raise AssertionError("outbox did not drain in time")
            self.runtime.worker.kick()
            await asyncio.sleep(0.05)

    async def listeners_done(self, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while listeners_running():
            if time.monotonic() > deadline:
                raise AssertionError("Slack listeners still running")
            await asyncio.sleep(0.02)

    async def outbox_rows(self) -> list[OutboxMessage]:
        async with self.runtime.uow() as uow:
            return list(
                (await uow.session.execute(select(OutboxMessage).order_by(OutboxMessage.id))).scalars()
            )

    def review_messages(self) -> list[dict[str, Any]]:
        """The review cards in the moderators' channel: applications and renewals."""
        return [
            m
            for m in self.slack.messages_in(MOD_CHANNEL)
            if "application" in m.get("text", "").lower() or m.get("text", "").startswith("Renewal #")
        ]

    async def apply(self, user: str = ALICE, **answers: str) -> dict[str, Any]:
        """Run /ambassador apply and submit the modal; returns the review message."""
        form = {**APPLICATION, **answers}
        resp = await self.actor.slash(user, "apply")
        assert resp.status_code == 200
        view = await self.wait_for_view(user)
        resp = await self.actor.submit_view(user, view["id"], form_values(form))
        assert resp.status_code == 200, resp.text
        await self.settle()
        return self.review_messages()[-1]

    async def wait_for_view(self, user: str, timeout: float = 5.0) -> dict[str, Any]:
        """The modal the user sees once the bot's listeners have finished with it."""
        await self.listeners_done(timeout)
        deadline = time.monotonic() + timeout
        while True:
            view = self.slack.last_view_for(user)
            if view is not None:
                return view
            if time.monotonic() > deadline:
                raise AssertionError(f"no modal opened for {user}")
            await asyncio.sleep(0.02)


@contextlib.asynccontextmanager
async def start_stack(
    db_url: str, clock: Clock | None = None, *, socket_mode: bool = False, **overrides: Any
) -> AsyncIterator[Stack]:
    """A running bot on `db_url`. With `socket_mode` the bot gets an app token and takes Slack's
    deliveries over the stand-in's Socket Mode WebSocket, and the actor sends them there."""
    slack, forum = make_standins()
    refused = len(blockkit.REFUSALS)
    async with slack.serve() as slack_url, forum.serve() as forum_url:
        if socket_mode:
            overrides["slack"] = {"app_token": slack.app_token, **overrides.get("slack", {})}
        settings = test_settings(db_url, slack_url, forum_url, **overrides)
        app = create_app(settings, auto_migrate=True, clock=clock)
        async with serve_asgi(app) as bot_url:
            runtime = app.state.runtime
            async with SlackActor(slack, bot_url, SIGNING_SECRET, socket_mode=socket_mode) as actor:
                forum_actor = DiscourseActor(bot_url, WEBHOOK_SECRET)
                yield Stack(settings, slack, forum, actor, forum_actor, bot_url, runtime)
    # Every view and message the bot sent is one Slack accepts (the stand-in validates each).
    assert blockkit.REFUSALS[refused:] == [], f"Slack would refuse: {blockkit.REFUSALS[refused:]}"
