"""Stepping down: confirm, become an alumnus, lose the forum badge and group; apply again later."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import select

from bot.sandbox.harness.stack import ALICE, BOB, GENERAL, GROUP, MOD, MOD_CHANNEL, Stack
from storage.forum import BadgeGrant
from storage.models import Ambassador
from tests.e2e.lifecycle import all_text, audit_actions, buttons, make_ambassador, say


async def ask_to_retire(stack: Stack, user: str = ALICE) -> dict[str, Any]:
    resp = await stack.actor.slash(user, "retire")
    assert resp.status_code == 200
    await stack.listeners_done()
    prompt = stack.slack.ephemerals[-1]
    assert prompt["user"] == user and "step down" in prompt["text"]
    return prompt


async def ambassador_status(stack: Stack) -> str:
    async with stack.runtime.uow() as uow:
        return str((await uow.session.execute(select(Ambassador.status))).scalar_one())


async def test_retire_ends_the_term_and_takes_back_badge_and_group(stack: Stack) -> None:
    await make_ambassador(stack)
    assert stack.forum.badges_of("alice") == ["Ambassador"] and "alice" in stack.forum.members_of(GROUP)
    prompt = await ask_to_retire(stack)
    assert buttons(prompt) == ["retire_confirm", "retire_cancel"]

    # A double click ends the term once.
    await asyncio.gather(
        stack.actor.click(ALICE, GENERAL, prompt["message_ts"], "retire_confirm"),
        stack.actor.click(ALICE, GENERAL, prompt["message_ts"], "retire_confirm"),
    )
    await stack.settle()
    assert await ambassador_status(stack) == "alumni"
    assert stack.forum.badges_of("alice") == []
    assert "alice" not in stack.forum.members_of(GROUP)
    assert len(stack.forum.calls_to("DELETE", "/user_badges")) == 1
    async with stack.runtime.uow() as uow:
        grants = list((await uow.session.execute(select(BadgeGrant))).scalars())
    assert [g.status for g in grants] == ["revoked"]
    notices = [m for m in stack.slack.messages_in(MOD_CHANNEL) if "stepped down" in m["text"]]
    assert len(notices) == 1 and f"<@{ALICE}>" in notices[0]["text"]
    texts = [r.get("text", "") for r in stack.slack.responses]
    assert sum("you are now an alumnus" in t for t in texts) == 1
    assert sum("already ended" in t for t in texts) == 1
    assert (await audit_actions(stack)).count("ambassador.stepped_down") == 1
    assert "alumni" in await say(stack, ALICE, "status")
    assert "not an active ambassador" in await say(stack, ALICE, "retire")

    # Alumni may apply again; approval gives a fresh term, badge and group.
    review = await stack.apply(motivation="Back for more.")
    await stack.actor.click(MOD, MOD_CHANNEL, review["ts"], "application_approve")
    await stack.settle()
    assert await ambassador_status(stack) == "active"
    assert stack.forum.badges_of("alice") == ["Ambassador"] and "alice" in stack.forum.members_of(GROUP)


async def test_cancel_changes_nothing_and_non_ambassadors_are_refused(stack: Stack) -> None:
    assert "not an active ambassador" in await say(stack, BOB, "retire")
    await make_ambassador(stack)
    prompt = await ask_to_retire(stack)
    await stack.actor.click(ALICE, GENERAL, prompt["message_ts"], "retire_cancel")
    await stack.settle()
    assert await ambassador_status(stack) == "active"
    assert "Nothing was changed" in all_text(stack.slack.ephemerals[-1])  # the prompt was replaced
    assert stack.forum.badges_of("alice") == ["Ambassador"]
    # Someone else pressing Alice's button (a forwarded payload) changes nothing either.
    prompt = await ask_to_retire(stack)
    await stack.actor.click(BOB, GENERAL, prompt["message_ts"], "retire_confirm")
    await stack.settle()
    assert "not yours" in stack.slack.responses[-1]["text"]
    assert await ambassador_status(stack) == "active"
