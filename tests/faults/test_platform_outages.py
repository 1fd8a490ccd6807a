"""Slack and the forum failing for a long time — 5xx storms, hung connections, 429 storms — while
moderators keep working: every decision is committed at once, every effect arrives exactly once
when the platform recovers, and nothing is given up on before the configured retry budget."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx

from bot.sandbox.faults import Faults
from bot.sandbox.harness.stack import ALICE, BOB, GROUP, MOD, MOD_CHANNEL, FakeClock, Stack, start_stack
from tests.faults.helpers import approve, assert_alice_onboarded_once, rows_by_kind, run_fake_time

# What the outbox worker calls on Slack to deliver (the interactive calls Bolt makes itself while
# answering a click are left alone: a storm of those is the person's own "try again").
SLACK_DELIVERY = [
    "chat.postMessage",
    "chat.update",
    "conversations.open",
    "conversations.history",
    "views.publish",
]


async def test_a_ten_minute_5xx_storm_on_both_platforms_loses_and_repeats_nothing(db_url: str) -> None:
    """Production backoff (2 s doubling, 15 min cap, 12 attempts) on a fake clock: Slack answers
    500 and the forum 502 for ten minutes while an application is approved. The approval is
    committed at once; the deliveries keep retrying (never marked failed), and once the storm is
    over the badge, the group, the welcome DM and the review update each land exactly once."""
    clock = FakeClock(datetime(2026, 3, 2, 10, 0, tzinfo=UTC))
    overrides = {"base_backoff_seconds": 2.0, "max_backoff_seconds": 900.0, "lease_seconds": 60.0}
    async with start_stack(db_url, clock=clock, outbox=overrides) as stack:
        fake_seconds = lambda: clock.now().timestamp()  # noqa: E731
        stack.slack.faults = Faults(fake_seconds)
        stack.forum.faults = Faults(fake_seconds)
        review = await stack.apply()

        slack_storm = stack.slack.storm(500, seconds=600, methods=SLACK_DELIVERY)
        forum_storm = stack.forum.storm(502, seconds=600)
        await approve(stack, review)
        steps = await run_fake_time(stack, clock)

        assert clock.now() > datetime(2026, 3, 2, 10, 10, tzinfo=UTC)  # the storm really was outlived
        assert slack_storm.hits >= 10 and forum_storm.hits >= 10
        assert steps >= 8
        assert_alice_onboarded_once(stack, review["ts"])
        rows = await rows_by_kind(stack)
        assert all(r.status == "delivered" for kind in rows.values() for r in kind)
        # Each approval effect was tried again and again through the storm, within the budget.
        max_attempts = stack.settings.outbox.max_attempts
        for kind in ("discourse.grant_badge", "discourse.add_to_group", "slack.dm"):
            (row,) = rows[kind]
            assert 6 <= row.attempts < max_attempts, (kind, row.attempts)
        assert stack.runtime.worker.failed == 0
        # The badge grant's retries looked first (did an earlier try land?) and granted once.
        assert [c[3] for c in stack.forum.calls_to("POST", "/user_badges")][-1] == 200
        assert len([c for c in stack.forum.calls_to("POST", "/user_badges") if c[3] == 200]) == 1


async def test_hung_platforms_time_out_and_work_that_landed_is_not_done_again(db_url: str) -> None:
    """Both clients give up after a second. Slack takes the welcome DM and the forum grants the
    badge, but neither answer arrives in time; adding to the group hangs without effect for a
    while. The worker is not stalled, and after the timeouts it finds the DM and the badge already
    there (no second post, no second grant) and adds to the group once the forum answers again."""
    async with start_stack(db_url, slack={"timeout_seconds": 1}, discourse={"timeout_seconds": 1}) as stack:
        review = await stack.apply()
        stack.slack.hang_next("chat.postMessage", seconds=3, after_effect=True)
        stack.forum.hang_next("POST", "/user_badges", seconds=3, after_effect=True)
        # The first add to the group hangs and has no effect, however late it comes (a storm of a
        # fixed length could end before a loaded machine gets there).
        stack.forum.hang_next("PUT", "/groups/", seconds=2.5, after_effect=False)
        await approve(stack, review)
        await stack.settle(timeout=40)
        stack.slack.faults.calm()
        stack.forum.faults.calm()

        assert_alice_onboarded_once(stack, review["ts"])
        rows = await rows_by_kind(stack)
        assert all(r.status == "delivered" for kind in rows.values() for r in kind)
        (dm,) = rows["slack.dm"]
        assert dm.attempts >= 2 and (dm.result or {}).get("recovered") is True
        (grant,) = rows["discourse.grant_badge"]
        assert grant.attempts >= 2 and (grant.result or {}).get("recovered") is True
        (group,) = rows["discourse.add_to_group"]
        assert group.attempts >= 2 and stack.forum.calls_to("PUT", "/groups/")[0][3] == 504
        assert stack.slack.faults.hung >= 1 and stack.forum.faults.hung >= 2
        assert stack.slack.calls_to("conversations.history")  # looked before posting again
        assert len(stack.forum.calls_to("POST", "/user_badges")) == 1  # looked, did not grant again


async def test_a_429_storm_uses_no_attempts_clears_after_and_is_counted_in_metrics(db_url: str) -> None:
    """For a few seconds every post and every badge/group call is answered 429 with Retry-After.
    With only two attempts allowed, nothing fails: a 429 is the platform pacing us, not a
    failure. Afterwards everything is delivered once and /metrics counts the 429s."""
    async with start_stack(db_url, outbox={"max_attempts": 2}) as stack:
        review_a = await stack.apply(ALICE)
        review_b = await stack.apply(BOB, name="Bob Example", forum_username="bob")
        slack_storm = stack.slack.storm(429, seconds=4, methods=["chat.postMessage", "chat.update"])
        forum_storm = stack.forum.storm(429, seconds=4, methods=["POST", "PUT"])
        await approve_all(stack, [review_a, review_b])
        await stack.settle(timeout=40)

        assert slack_storm.hits >= 4 and forum_storm.hits >= 3
        for user, name in ((ALICE, "alice"), (BOB, "bob")):
            assert len(stack.slack.dms_to(user)) == 1
            assert stack.forum.badges_of(name) == ["Ambassador"]
        assert stack.forum.members_of(GROUP) >= {"alice", "bob"}
        rows = await rows_by_kind(stack)
        assert all(r.status == "delivered" for kind in rows.values() for r in kind)
        assert stack.runtime.worker.failed == 0
        for kind in ("slack.dm", "slack.update", "discourse.grant_badge", "discourse.add_to_group"):
            assert [r.attempts for r in rows[kind]] == [1, 1], kind  # the 429s were not counted

        async with httpx.AsyncClient() as http:
            text = (await http.get(f"{stack.bot_url}/metrics")).text
        limited = {
            line.split('platform="')[1].split('"')[0]: float(line.rsplit(" ", 1)[1])
            for line in text.splitlines()
            if line.startswith("ambassador_platform_rate_limited_total{")
        }
        assert limited == {"slack": stack.slack.rate_limited, "discourse": stack.forum.rate_limited}
        assert limited["slack"] >= slack_storm.hits and limited["discourse"] >= forum_storm.hits


async def approve_all(stack: Stack, reviews: list[dict[str, Any]]) -> None:
    for review in reviews:
        resp = await stack.actor.click(MOD, MOD_CHANNEL, review["ts"], "application_approve")
        assert resp.status_code == 200
    await stack.listeners_done()
