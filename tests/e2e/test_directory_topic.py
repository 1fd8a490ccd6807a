"""The forum's directory topic (issue 19, discourse.directory_topic_id): the bot keeps the topic's
first post in step with the public directory, through the outbox, as a real PUT /posts/{id}.json
to the Discourse stand-in — the listed people only, one edit for a burst of changes, a forgotten
person gone at the next edit, and a forum that refuses is one clear failure, not a loop."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from bot.program.privacy.service import PrivacyService
from bot.sandbox.harness.stack import ALICE, BOB, Stack, start_stack
from storage.models import OutboxMessage
from tests.e2e.lifecycle import make_ambassador
from tests.e2e.test_profiles_directory import PROFILE, open_profile
from tests.e2e.test_public_pages import ALL, publish

TOPIC = 10  # the stand-in's first topic id (ForumState._next_topic_id)
WINDOW = 2  # seconds between two edits at most, kept short for the tests


def directory_settings(topic: int = TOPIC, window: int = WINDOW) -> dict[str, Any]:
    return {"directory_topic_id": topic, "directory_topic_interval_seconds": window}


@pytest.fixture
async def forum_stack(db_url: str) -> AsyncIterator[Stack]:
    async with start_stack(db_url, discourse=directory_settings()) as stack:
        topic = stack.forum.add_topic(
            "Ambassador directory", [("carol", "The directory of ambassadors comes here.")], wiki=True
        )
        assert topic == TOPIC
        yield stack


def first_post(stack: Stack, topic: int = TOPIC) -> dict[str, Any]:
    return next(p for p in stack.forum.posts if p["topic_id"] == topic and p["post_number"] == 1)


def edits(stack: Stack) -> list[dict[str, Any]]:
    """The body of every PUT the forum answered 200 to, for the directory's post."""
    path = f"/posts/{first_post(stack)['id']}"
    return [params for _m, _p, params, status in stack.forum.calls_to("PUT", path) if status == 200]


async def until(check: Callable[[], bool], timeout: float = 20.0, what: str = "the forum post") -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not change in time")
        await asyncio.sleep(0.1)


async def directory_rows(stack: Stack) -> list[OutboxMessage]:
    return [r for r in await stack.outbox_rows() if r.kind == "discourse.edit_directory"]


async def save_profile(stack: Stack, user: str, **changes: str) -> None:
    """Save the profile form (listed, every field shown) without waiting for the outbox."""
    view = await open_profile(stack, user)
    values: dict[str, Any] = {k: {k: v} for k, v in {**PROFILE, **changes}.items() if v}
    values["public_listed"] = {"public_listed": ["yes"]}
    values["public_fields"] = {"public_fields": ALL}
    resp = await stack.actor.submit_view(user, view["id"], values)
    assert resp.status_code == 200 and "errors" not in resp.text, resp.text
    await stack.listeners_done()


async def test_the_post_lists_the_listed_people_and_loses_a_forgotten_one(forum_stack: Stack) -> None:
    stack = forum_stack
    await make_ambassador(stack)
    await make_ambassador(stack, BOB, name="Bob Builder", forum_username="bob")  # never opts in
    await publish(stack, ALICE, ALL)
    await until(lambda: "Alice Example" in first_post(stack)["raw"])

    raw = first_post(stack)["raw"]
    assert "## Alice Example" in raw
    assert "- **Location:** Berlin, Germany" in raw and "- **Can help with:** Getting a first talk" in raw
    assert "\\@alice on the forum" in raw  # shown as chosen, without notifying her at every edit
    for hidden in ("Bob", "open hardware", "Platform engineer", ALICE, BOB, "@example."):
        assert hidden not in raw  # unlisted people, fields never public, Slack ids, emails
    put = edits(stack)[-1]
    assert put["post[raw]"] == raw and put["post[edit_reason]"] == "Directory updated by the ambassador bot"
    assert first_post(stack)["wiki"] and first_post(stack)["version"] >= 2

    await PrivacyService(stack.runtime.uow, stack.runtime.clock).forget(ALICE)
    await until(lambda: "Alice" not in first_post(stack)["raw"])
    assert "No ambassador is listed yet." in first_post(stack)["raw"]
    assert "Berlin" not in first_post(stack)["raw"]


async def test_a_burst_of_changes_is_one_edit_and_no_change_is_no_edit(db_url: str) -> None:
    window = 5
    async with start_stack(db_url, discourse=directory_settings(window=window)) as stack:
        stack.forum.add_topic("Ambassador directory", [("carol", "The directory comes here.")], wiki=True)
        await make_ambassador(stack)
        await publish(stack, ALICE, ALL)
        await until(lambda: "Alice Example" in first_post(stack)["raw"])
        await asyncio.sleep(window + 1)  # the window after it: the post already says it, no edit
        before = len(edits(stack))

        while time.time() % window > 0.3:  # start the burst at the beginning of a window
            await asyncio.sleep(0.05)
        for city in ("Lisbon", "Porto", "Faro"):
            await save_profile(stack, ALICE, city=city, country="Portugal")
        await until(lambda: "Faro, Portugal" in first_post(stack)["raw"], timeout=3 * window)
        await asyncio.sleep(2 * window)  # two more windows: the sweep looks again, finds it done

        assert len(edits(stack)) == before + 1  # three changes, one edit
        assert "Lisbon" not in first_post(stack)["raw"] and "Porto" not in first_post(stack)["raw"]
        rows = await directory_rows(stack)
        assert {r.status for r in rows} <= {"delivered", "pending"}
        assert len(rows) <= len(edits(stack)) + 2  # windows with nothing new queue nothing


@pytest.mark.parametrize("refusal", ["missing topic", "not allowed"])
async def test_a_forum_that_refuses_is_one_clear_failure(
    db_url: str, refusal: str, caplog: pytest.LogCaptureFixture
) -> None:
    topic = 999 if refusal == "missing topic" else TOPIC
    async with start_stack(db_url, discourse=directory_settings(topic=topic)) as stack:
        # Alice's own topic (not a wiki post), and the bot's API user is no longer staff.
        stack.forum.add_topic("Alice's notes on meetups", [("alice", "Notes, not a directory.")])
        if refusal == "not allowed":
            stack.forum.users["system"].update(admin=False, moderator=False)
        with caplog.at_level(logging.INFO, logger="ambassador_bot"):
            await until(lambda: bool(stack.forum.calls_to("GET", f"/t/{topic}")), what="the topic look-up")
            await asyncio.sleep(3 * WINDOW)  # more windows pass: no new attempt, no loop

        [row] = await directory_rows(stack)
        assert row.status == "failed"
        status = "404" if refusal == "missing topic" else "403"
        assert f"cannot edit the directory topic {topic}" in str(row.last_error) and status in str(
            row.last_error
        )
        assert len(stack.forum.calls_to("GET", f"/t/{topic}.json")) == 1
        failures = [r for r in caplog.records if r.levelno >= logging.ERROR]
        assert [r.getMessage() for r in failures] == [
            f"delivery of {row.key} failed for good: {row.last_error}"
        ]
        assert all(r.exc_info is None for r in caplog.records)  # a sentence, not a traceback
        assert "Notes, not a directory." in first_post(stack, TOPIC)["raw"]  # untouched
