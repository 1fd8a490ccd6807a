"""Two `ambassador-bot run` processes share one database behind a load balancer: each request,
webhook, reminder and delivery has its effect once, whichever replica gets it."""

from __future__ import annotations

import asyncio
import copy
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.sandbox.discourse import DiscourseActor
from bot.sandbox.harness.procs import BotProcess, eventually, waiting_rows, write_config
from bot.sandbox.harness.stack import (
    ALICE,
    AMB_CHANNEL,
    APPLICATION,
    BADGE_ID,
    GROUP,
    MOD,
    MOD_CHANNEL,
    SIGNING_SECRET,
    WEBHOOK_SECRET,
    add_pm_topic,
    form_values,
    make_standins,
)
from bot.sandbox.http import free_port, serve_asgi
from bot.sandbox.slack import SlackActor, SlackStandIn

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "discourse"


def _event_extra(start: datetime) -> str:
    """A daily meetup starting soon, with a 1-hour reminder that is already due, and this week's
    moderator digest due since midnight."""
    return f"""
[reminders]
sweep_seconds = 0.5
digest_weekday = {start.weekday()}
digest_hour_utc = 0
[[events]]
key = "replica-meetup"
title = "Replica meetup"
rrule = "FREQ=DAILY"
start = "{start:%Y-%m-%dT%H:%M}"
timezone = "UTC"
slack_channel = "{AMB_CHANNEL}"
reminders = ["1h"]
"""


@pytest.fixture
async def replicas(db_url: str, tmp_path: Path) -> AsyncIterator[dict[str, Any]]:
    slack, forum = make_standins()
    forum.add_user("alice", user_id=1)
    start = (datetime.now(UTC) + timedelta(minutes=30)).replace(second=0, microsecond=0)
    async with serve_asgi(slack.app) as slack_url, serve_asgi(forum.app) as forum_url:
        slack.base_url, forum.base_url = slack_url, forum_url
        bots = []
        for name in ("a", "b"):
            port = free_port()
            config = tmp_path / f"replica-{name}.toml"
            write_config(config, db_url, port, slack_url, forum_url, extra=_event_extra(start))
            bots.append(BotProcess(config, port, tmp_path / f"replica-{name}.log"))
        try:
            yield {"slack": slack, "forum": forum, "bots": bots}
        finally:
            for bot in bots:
                bot.stop()


def _urls(bots: list[BotProcess]) -> list[str]:
    return [f"http://127.0.0.1:{b.port}" for b in bots]


async def _both(coro_a: Any, coro_b: Any) -> list[httpx.Response]:
    return list(await asyncio.gather(coro_a, coro_b))


async def test_two_replicas_on_one_database_do_everything_once(replicas: dict[str, Any], db_url: str) -> None:
    slack: SlackStandIn = replicas["slack"]
    forum = replicas["forum"]
    a, b = replicas["bots"]
    assert a.cli("migrate").returncode == 0
    await asyncio.gather(a.start(), b.start())
    url_a, url_b = _urls([a, b])

    async with (
        SlackActor(slack, url_a, SIGNING_SECRET) as via_a,
        SlackActor(slack, url_b, SIGNING_SECRET) as via_b,
    ):
        # The application form is opened through one replica and submitted through the other.
        await via_a.slash(ALICE, "apply")
        await eventually(lambda: _now(slack.last_view_for(ALICE) is not None), "the application form")
        view = slack.last_view_for(ALICE)
        assert view is not None
        resp = await via_b.submit_view(ALICE, view["id"], form_values(APPLICATION))
        assert resp.status_code == 200
        await eventually(lambda: _now(_has(slack, MOD_CHANNEL, "application #1")), "the review message")
        review = next(m for m in slack.messages_in(MOD_CHANNEL) if "application #1" in m["text"])

        # The moderator double-clicks Approve and the two clicks land on different replicas.
        clicks = await _both(
            via_a.click(MOD, MOD_CHANNEL, review["ts"], "application_approve"),
            via_b.click(MOD, MOD_CHANNEL, review["ts"], "application_approve"),
        )
        assert [c.status_code for c in clicks] == [200, 200]
        # Slack gets its ack first and the decision is made after it: wait for the decision to
        # show before anything depends on it (the outbox is also "drained" before it is queued).
        await eventually(lambda: _now(_approved(slack, review["ts"])), "the approval", timeout=60)
        await eventually(lambda: _drained(db_url), "both outboxes to drain", timeout=60)

        # Slack retries a slash command on the other replica: it is answered, not re-applied.
        status_a, status_b = await _both(via_a.slash(ALICE, "status"), via_b.slash(ALICE, "status"))
        assert status_a.status_code == status_b.status_code == 200

    # One webhook delivery, redelivered by Discourse to the other replica at the same moment.
    pm_topic = 4242
    add_pm_topic(forum, topic_id=pm_topic)
    captured = json.loads((FIXTURES / "post_created.request.json").read_text(encoding="utf-8"))
    post = copy.deepcopy(captured["body"]["post"])
    post.update({"id": 9001, "topic_id": pm_topic, "topic_archetype": "private_message", "raw": "status"})
    post.update({"username": "alice", "user_id": 1})
    async with (
        DiscourseActor(url_a, WEBHOOK_SECRET) as hook_a,
        DiscourseActor(url_b, WEBHOOK_SECRET) as hook_b,
    ):
        hooks = await _both(
            hook_a.send("post_created", post, event_id=77), hook_b.send("post_created", post, event_id=77)
        )
    assert [h.status_code for h in hooks] == [200, 200]

    # Both schedulers sweep every half second: the due meetup reminder is posted once.
    await eventually(lambda: _now(bool(slack.messages_in(AMB_CHANNEL))), "the meetup reminder", timeout=30)
    await asyncio.sleep(3)  # several more sweeps on both replicas
    await eventually(lambda: _drained(db_url), "both outboxes to drain", timeout=60)

    mod_posts = [m["text"] for m in slack.messages_in(MOD_CHANNEL)]
    assert len([t for t in mod_posts if "application #1" in t]) == 1
    assert len([t for t in mod_posts if t.startswith("Weekly digest")]) == 1
    updated = slack.find_message(MOD_CHANNEL, review["ts"])
    assert updated is not None and "approved" in updated["text"]
    assert forum.badges_of("alice") == ["Ambassador"]
    assert len([ub for ub in forum.user_badges if ub["badge_id"] == BADGE_ID]) == 1
    assert len(forum.calls_to("POST", "/user_badges")) == 1
    assert "alice" in forum.members_of(GROUP)
    assert len(slack.dms_to(ALICE)) == 1
    replies = [p for p in forum.posts if p["topic_id"] == pm_topic]
    assert len(replies) == 1 and "You are an ambassador" in replies[0]["raw"]
    reminders = [m for m in slack.messages_in(AMB_CHANNEL) if "Replica meetup" in m["text"]]
    assert len(reminders) == 1

    # Both replicas stop cleanly on SIGTERM.
    for bot in (a, b):
        assert bot.proc is not None
        bot.proc.terminate()
    for bot in (a, b):
        assert bot.proc is not None
        code = await asyncio.to_thread(bot.proc.wait, 30)
        log = bot.log.read_text()
        assert code == 0, log
        assert "Traceback" not in log and "ERROR" not in log, log


def _has(slack: SlackStandIn, channel: str, text: str) -> bool:
    return any(text in m["text"] for m in slack.messages_in(channel))


def _approved(slack: SlackStandIn, ts: str) -> bool:
    message = slack.find_message(MOD_CHANNEL, ts)
    return message is not None and "approved" in message["text"]


async def _now(value: bool) -> bool:
    return value


async def _drained(db_url: str) -> bool:
    return await waiting_rows(db_url) == 0
