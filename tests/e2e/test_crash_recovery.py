"""The bot process is killed in the middle of a delivery and started again: every action still
arrives, none twice."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.sandbox.harness.procs import BotProcess, StallAfterEffect, eventually, waiting_rows, write_config
from bot.sandbox.harness.stack import (
    ALICE,
    APPLICATION,
    BADGE_ID,
    GROUP,
    MOD,
    MOD_CHANNEL,
    SIGNING_SECRET,
    form_values,
    make_standins,
)
from bot.sandbox.http import free_port, serve_asgi
from bot.sandbox.slack import SlackActor
from storage.models import OutboxMessage


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
        await eventually(lambda: _async(slack.last_view_for(ALICE) is not None), "the modal")
        view = slack.last_view_for(ALICE)
        assert view is not None
        resp = await actor.submit_view(ALICE, view["id"], form_values(APPLICATION))
        assert resp.status_code == 200
        await eventually(lambda: _async(bool(slack.messages_in(MOD_CHANNEL))), "the review message")
        review = slack.messages_in(MOD_CHANNEL)[-1]
        await actor.click(MOD, MOD_CHANNEL, review["ts"], "application_approve")

        # The forum grants the badge but its answer never reaches the bot; the bot dies waiting.
        await asyncio.wait_for(stall.stalled.wait(), timeout=30)
        assert forum.badges_of("alice") == ["Ambassador"]
        bot.kill()
        stall.release.set()

        await bot.start()
        await eventually(lambda: _waiting_is_zero(db_url), "the outbox to drain after restart", timeout=60)

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
    return await waiting_rows(db_url) == 0


async def _async(value: bool) -> bool:
    return value


async def test_a_slack_post_that_landed_before_a_crash_is_not_posted_again(db_url: str) -> None:
    """The welcome DM reached Slack but the bot died before recording it: on the next attempt the
    worker finds its own marker in the conversation and records it instead of posting again."""
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import update

    from bot.sandbox.harness.stack import start_stack

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
