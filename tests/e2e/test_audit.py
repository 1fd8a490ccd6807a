"""`/ambassador audit @user`: moderators read what happened to a person, newest first."""

from __future__ import annotations

from bot.sandbox.harness.stack import ALICE, BOB, MOD, Stack
from tests.e2e.lifecycle import audit_actions, make_ambassador, say


async def test_moderator_sees_who_did_what_when_and_where(stack: Stack) -> None:
    await make_ambassador(stack)
    await say(stack, MOD, f"onboarding done <@{ALICE}> announced")
    await say(stack, BOB, f"nominate <@{ALICE}> she is great")  # refused: not about a state change
    text = await say(stack, MOD, f"audit <@{ALICE}>")
    assert f"Audit log about <@{ALICE}> (Alice Example)" in text
    # Newest first: the moderator's tick, then the approval, then her application.
    order = [
        text.index(a) for a in ("onboarding.step_completed", "application.approved", "application.submitted")
    ]
    assert order == sorted(order)
    assert f"<@{MOD}> (slack) *application.approved* · application #1" in text
    assert "status: pending → approved" in text
    assert "step: announced" in text or "done: False → True" in text
    assert f"<@{ALICE}> (slack) *application.submitted*" in text


async def test_at_most_twenty_entries_and_nominations_count_as_about_the_person(stack: Stack) -> None:
    await say(stack, ALICE, f"nominate <@{BOB}> Runs the meetup")
    for i in range(25):  # 25 profile saves, each a state change about Bob
        await stack.runtime.services.profiles.save(BOB, {"expertise": f"Topic {i}", "contact": "here"})
    text = await say(stack, MOD, f"audit <@{BOB}>")
    assert "(20 entries)" in text
    # Saves 5 to 24 are the newest twenty: "Topic 4 → Topic 5" is the oldest line shown.
    assert "Topic 23 → Topic 24" in text and "Topic 4 → Topic 5" in text
    assert "Topic 3 → Topic 4" not in text
    assert "nomination.submitted" not in text  # older than the 20 newest

    fresh = await say(stack, MOD, f"audit <@{ALICE}>")
    assert "nothing in the audit log" in fresh  # Alice only acted on others


async def test_only_moderators_and_bad_input(stack: Stack) -> None:
    await make_ambassador(stack)
    assert "Only moderators" in await say(stack, BOB, f"audit <@{ALICE}>")
    assert "audit.view.refused" in await audit_actions(stack)
    assert "Usage:" in await say(stack, MOD, "audit")
    assert "Usage:" in await say(stack, MOD, "audit alice")
    assert "nothing in the audit log" in await say(stack, MOD, "audit <@U0NOBODY>")


async def test_nominations_are_part_of_the_nominees_log(stack: Stack) -> None:
    await say(stack, ALICE, f"nominate <@{BOB}> Runs the meetup")
    text = await say(stack, MOD, f"audit <@{BOB}>")
    assert "nomination.submitted" in text and f"<@{ALICE}>" in text


async def test_refusals_aimed_at_a_person_are_in_their_log(stack: Stack) -> None:
    """The README says refusals aimed at a person are in their log: a non-moderator trying to
    grant them a badge or read their checklist shows up there, also for someone with no record."""
    await make_ambassador(stack)
    assert "Only moderators" in await say(stack, BOB, f"badge grant <@{ALICE}> Ambassador")
    assert "Only moderators" in await say(stack, BOB, f"onboarding <@{ALICE}>")
    text = await say(stack, MOD, f"audit <@{ALICE}>")
    assert f"<@{BOB}> (slack) *badge.grant.refused* · <@{ALICE}>" in text
    assert f"<@{BOB}> (slack) *onboarding.view.refused* · <@{ALICE}>" in text
    assert "application.approved" in text  # the rest of her log is still there
    stranger = "U0NOBODY"
    assert "Only moderators" in await say(stack, BOB, f"audit <@{stranger}>")
    text = await say(stack, MOD, f"audit <@{stranger}>")
    assert "(1 entry)" in text and f"<@{BOB}> (slack) *audit.view.refused*" in text
