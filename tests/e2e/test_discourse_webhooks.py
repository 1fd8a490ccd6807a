"""Real captured Discourse webhooks (Discourse 2025.12), signed and posted to the running bot:
each has its effect once, even when delivered three times with different event ids."""

from __future__ import annotations

import asyncio
import copy
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from bot.sandbox.harness.stack import (
    ALICE,
    BOB,
    MOD,
    MOD_CHANNEL,
    WEBHOOK_SECRET,
    Stack,
    add_pm_topic,
    start_stack,
)
from storage.forum import BadgeGrant, GroupMembership
from storage.models import AuditEntry, OutboxMessage, Person

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "discourse"
INTRO_TOPIC = 10  # the captured post_created is post 12 in topic 10, by user1 (forum user id 1)


def fixture(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / f"{name}.request.json").read_text(encoding="utf-8"))


async def deliver(
    stack: Stack, name: str, *, event_id: int, body: dict[str, Any] | None = None, secret: str | None = None
) -> httpx.Response:
    """Post a captured delivery (optionally with its body changed), signed like Discourse signs."""
    fx = fixture(name)
    raw = (
        fx["raw_body_compact"].encode()
        if body is None
        else json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
    )
    headers = {k: str(v) for k, v in fx["headers"].items() if v is not None and k != "Content-Length"}
    headers["X-Discourse-Event-Id"] = str(event_id)
    headers["X-Discourse-Event-Signature"] = stack.forum_actor.signature(raw) if secret is None else secret
    return await stack.forum_actor.send_raw(raw, headers)


def body_of(name: str) -> dict[str, Any]:
    return copy.deepcopy(fixture(name)["body"])


async def approved_ambassador(stack: Stack, forum_username: str = "user1", forum_id: int = 1) -> None:
    stack.forum.add_user(forum_username, user_id=forum_id)
    review = await stack.apply(forum_username=forum_username)
    await stack.actor.click(MOD, MOD_CHANNEL, review["ts"], "application_approve")
    await stack.settle()


async def audit_actions(stack: Stack) -> list[str]:
    async with stack.runtime.uow() as uow:
        return [a.action for a in (await uow.session.execute(select(AuditEntry))).scalars()]


@pytest.fixture
async def intro_stack(db_url: str) -> Any:
    async with start_stack(db_url, discourse={"intro_topic_id": INTRO_TOPIC, "intro_category_id": 4}) as s:
        yield s


async def test_intro_post_completes_the_step_once_despite_three_deliveries(intro_stack: Stack) -> None:
    stack = intro_stack
    await approved_ambassador(stack)
    for event_id in (47, 48, 49):  # Discourse retries may carry a new event id
        resp = await deliver(stack, "post_created", event_id=event_id)
        assert resp.status_code == 200
    assert [r.json()["result"] for r in [resp]] == ["duplicate"]
    status = (await stack.actor.slash(ALICE, "status")).json()["text"]
    assert "1 of 4 done" in status
    assert (await audit_actions(stack)).count("onboarding.step_completed") == 1


async def test_intro_topic_in_the_intro_category_counts_too(intro_stack: Stack) -> None:
    stack = intro_stack
    await approved_ambassador(stack)
    resp = await deliver(stack, "topic_created", event_id=5)  # topic 8, category 4, by user1
    assert resp.json()["result"] == "done"
    assert "1 of 4 done" in (await stack.actor.slash(ALICE, "status")).json()["text"]


async def test_posts_elsewhere_or_by_strangers_change_nothing(intro_stack: Stack) -> None:
    stack = intro_stack
    await approved_ambassador(stack)
    other_topic = body_of("post_created")
    other_topic["post"]["topic_id"] = 99
    assert (await deliver(stack, "post_created", event_id=1, body=other_topic)).json()["result"] == "ignored"
    stranger = body_of("post_created")
    stranger["post"].update({"id": 13, "username": "mallory", "user_id": 66})
    assert (await deliver(stack, "post_created", event_id=2, body=stranger)).json()["result"] == "ignored"
    assert "0 of 4 done" in (await stack.actor.slash(ALICE, "status")).json()["text"]


async def test_badge_granted_by_a_forum_moderator_is_recorded_once(stack: Stack) -> None:
    await approved_ambassador(stack)
    for event_id in (1, 2, 3):
        resp = await deliver(stack, "user_badge_granted", event_id=event_id)  # user 1 got badge 13
        assert resp.status_code == 200
    async with stack.runtime.uow() as uow:
        grants = list(
            (await uow.session.execute(select(BadgeGrant).where(BadgeGrant.badge_id == 13))).scalars()
        )
    assert [(g.source, g.status, g.forum_user_badge_id) for g in grants] == [("forum", "granted", 13)]
    # The captured revocation is of someone the bot does not know: 200 and nothing changes.
    resp = await deliver(stack, "user_badge_revoked", event_id=4)
    assert resp.status_code == 200 and resp.json()["result"] == "ignored"
    # Revoking the badge user1 holds.
    revoke = body_of("user_badge_revoked")
    revoke["user_badge"].update({"id": 13, "badge_id": 13, "user_id": 1})
    for event_id in (5, 6):
        await deliver(stack, "user_badge_revoked", event_id=event_id, body=revoke)
    async with stack.runtime.uow() as uow:
        grant = (await uow.session.execute(select(BadgeGrant).where(BadgeGrant.badge_id == 13))).scalar_one()
    assert grant.status == "revoked"
    assert (await audit_actions(stack)).count("badge.revoked") == 1


async def test_the_bots_own_grant_seen_by_webhook_is_not_counted_twice(stack: Stack) -> None:
    # The forum applies the bot's grant but the bot never hears back (here: every answer to
    # POST /user_badges fails); the forum's webhook about that grant arrives first.
    stack.forum.fail_next("POST", "/user_badges", times=1000, status=503)
    # The bot's retry checks first whether its grant landed; held off until the webhook is in, so
    # the order this test is about (the webhook before the bot learns of its grant) is the one
    # that happens, whatever the machine's load.
    stack.forum.fail_next("GET", "/user-badges/", times=1000, status=503)
    user_id = stack.forum.add_user("user1", user_id=1)
    review = await stack.apply(forum_username="user1")
    await stack.actor.click(MOD, MOD_CHANNEL, review["ts"], "application_approve")
    await stack.listeners_done()
    for _ in range(500):  # the bot's first attempt has reached the forum (and was not answered)
        if stack.forum.calls_to("POST", "/user_badges"):
            break
        await asyncio.sleep(0.02)
    badge_id = stack.settings.discourse.ambassador_badge_id
    assert badge_id is not None
    stack.forum.user_badges.append(
        {
            "id": 777,
            "user_id": user_id,
            "badge_id": badge_id,
            "granted_at": "2026-01-01T00:00:00Z",
            "created_at": "2026-01-01T00:00:00Z",
            "granted_by_id": -1,
            "post_id": None,
            "reason": None,
        }
    )
    grant = body_of("user_badge_granted")
    grant["user_badge"].update({"id": 777, "badge_id": badge_id, "user_id": user_id})
    resp = await deliver(stack, "user_badge_granted", event_id=1, body=grant)
    assert resp.json()["note"] == "matched the bot's own grant"
    stack.forum.faults.failures.clear()  # the forum answers again; the retry finds the badge already there
    await stack.settle()
    async with stack.runtime.uow() as uow:
        grants = list((await uow.session.execute(select(BadgeGrant))).scalars())
    assert [(g.status, g.source, g.forum_user_badge_id) for g in grants] == [("granted", "bot", 777)]
    assert [c[3] for c in stack.forum.calls_to("POST", "/user_badges")].count(200) == 0
    assert stack.forum.badges_of("user1") == ["Ambassador"]


async def test_group_membership_follows_the_forum_once(stack: Stack) -> None:
    await approved_ambassador(stack)
    added = body_of("user_added_to_group")
    added["group_user"].update({"group_id": 41, "user_id": 1})  # the ambassadors group in the stand-in
    for event_id in (1, 2, 3):
        assert (await deliver(stack, "user_added_to_group", event_id=event_id, body=added)).status_code == 200
    other_group = body_of("user_added_to_group")  # group 10 is not the ambassadors group
    assert (await deliver(stack, "user_added_to_group", event_id=4, body=other_group)).json()[
        "result"
    ] == "ignored"
    async with stack.runtime.uow() as uow:
        rows = list((await uow.session.execute(select(GroupMembership))).scalars())
    assert [(r.forum_username, r.status) for r in rows] == [("user1", "member")]
    assert (await audit_actions(stack)).count("group.member_added") in (0, 1)


async def test_new_forum_account_is_noted_on_the_pending_application(stack: Stack) -> None:
    await stack.apply(user=BOB, forum_username="adsad")  # the captured user_created is "adsad", id 4
    for event_id in (1, 2):
        assert (await deliver(stack, "user_created", event_id=event_id)).status_code == 200
    async with stack.runtime.uow() as uow:
        person = (await uow.session.execute(select(Person).where(Person.slack_user_id == BOB))).scalar_one()
    assert person.forum_user_id == 4
    assert (await audit_actions(stack)).count("person.forum_account_created") == 1


async def test_bad_signature_malformed_body_and_unrelated_events(stack: Stack) -> None:
    assert (await deliver(stack, "post_created", event_id=1, secret="sha256=" + "0" * 64)).status_code == 401
    broken = body_of("post_created")
    del broken["post"]["id"]
    resp = await deliver(stack, "post_created", event_id=2, body=broken)
    assert resp.status_code == 400 and "'id'" in resp.json()["error"]
    wrong_type = body_of("user_badge_granted")
    wrong_type["user_badge"]["user_id"] = "one"
    assert (await deliver(stack, "user_badge_granted", event_id=3, body=wrong_type)).status_code == 400
    resp = await stack.forum_actor.send("post_liked", {"post": {"id": 1}}, event_id=4)
    assert resp.status_code == 200 and resp.json()["ignored"] == "post_liked"
    async with stack.runtime.uow() as uow:
        assert list((await uow.session.execute(select(BadgeGrant))).scalars()) == []
    assert WEBHOOK_SECRET  # the stack signs with it


def _pm_topic(stack: Stack, title: str = "Hello bot") -> int:
    return add_pm_topic(stack.forum, title)


async def test_forum_commands_are_answered_once_in_the_same_topic(stack: Stack) -> None:
    await approved_ambassador(stack)
    topic_id = _pm_topic(stack)
    pm = body_of("post_created")
    pm["post"].update(
        {"id": 500, "topic_id": topic_id, "topic_archetype": "private_message", "raw": "status"}
    )
    for event_id in (1, 2, 3):
        assert (await deliver(stack, "post_created", event_id=event_id, body=pm)).status_code == 200
    await stack.settle()
    replies = [p for p in stack.forum.posts if p["topic_id"] == topic_id]
    assert len(replies) == 1
    assert "You are an ambassador" in replies[0]["raw"] and "Onboarding: 0 of 4 done" in replies[0]["raw"]

    mention = body_of("post_created")  # an @mention in an ordinary topic
    mention["post"].update({"id": 501, "topic_id": topic_id, "raw": "Hi @System: status please"})
    await deliver(stack, "post_created", event_id=4, body=mention)
    await stack.settle()
    replies = [p for p in stack.forum.posts if p["topic_id"] == topic_id]
    assert len(replies) == 2 and "- [ ] Post your introduction" in replies[1]["raw"]
    assert "<small>ref ab-" in replies[1]["raw"]

    stranger = body_of("post_created")
    stranger["post"].update(
        {"id": 502, "topic_id": topic_id, "username": "bob", "user_id": 77, "raw": "@system status"}
    )
    await deliver(stack, "post_created", event_id=5, body=stranger)
    unknown = body_of("post_created")
    unknown["post"].update({"id": 503, "topic_id": topic_id, "raw": "@system nominate everyone"})
    await deliver(stack, "post_created", event_id=6, body=unknown)
    await stack.settle()
    replies = [p["raw"] for p in stack.forum.posts if p["topic_id"] == topic_id]
    assert "/ambassador link bob" in replies[2]
    assert "only available in Slack" in replies[3] and "`status`" in replies[3]


async def test_the_bots_own_posts_are_not_commands(stack: Stack) -> None:
    topic_id = _pm_topic(stack)
    own = body_of("post_created")
    own["post"].update({"id": 600, "topic_id": topic_id, "username": "system", "raw": "@system help"})
    resp = await deliver(stack, "post_created", event_id=1, body=own)
    assert resp.json()["result"] == "ignored"
    async with stack.runtime.uow() as uow:
        assert list((await uow.session.execute(select(OutboxMessage))).scalars()) == []


async def test_find_and_renew_from_the_forum(stack: Stack) -> None:
    await approved_ambassador(stack)
    await stack.runtime.services.profiles.save(
        ALICE,
        {
            "bio": "Hi",
            "expertise": "Kubernetes, Helm",
            "interests": "meetups",
            "help_with": "talks",
            "contact": "@alice",
            "timezone": "Europe/Lisbon",
            "city": "Lisbon",
            "country": "Portugal",
        },
    )
    topic_id = _pm_topic(stack)
    for n, raw in enumerate(("find kubernetes", "find", "renew", "renew More meetups in Lisbon next term.")):
        pm = body_of("post_created")
        pm["post"].update(
            {"id": 700 + n, "topic_id": topic_id, "topic_archetype": "private_message", "raw": raw}
        )
        assert (await deliver(stack, "post_created", event_id=10 + n, body=pm)).status_code == 200
        await stack.settle()
    replies = [p["raw"] for p in stack.forum.posts if p["topic_id"] == topic_id]
    assert "**Alice Example** (Lisbon, Portugal)" in replies[0]
    assert "Tell me what to look for" in replies[1]
    assert "send `renew <what you will focus on" in replies[2]
    assert "Renewal #2 is with the moderators" in replies[3]
    assert any("Renewal" in m["text"] or "#2" in m["text"] for m in stack.review_messages())
