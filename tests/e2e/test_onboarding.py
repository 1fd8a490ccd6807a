"""The onboarding checklist: your own, anyone's (moderators), who is stuck, and ticking steps."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update

from bot.sandbox import world
from bot.sandbox.harness.stack import (
    ALICE,
    AMB_CHANNEL,
    BOB,
    GENERAL,
    MOD,
    MOD_CHANNEL,
    Stack,
    form_values,
    start_stack,
)
from storage.models import Ambassador, OnboardingStep, Person
from tests.e2e.lifecycle import all_text, audit_actions, last_response_text, make_ambassador, say


async def person_id(stack: Stack, slack_id: str) -> int:
    async with stack.runtime.uow() as uow:
        person = await uow.people.by_slack_id(slack_id)
        assert person is not None
        return person.id


async def test_your_checklist_says_how_each_step_is_ticked(stack: Stack) -> None:
    assert "not an active ambassador" in await say(stack, ALICE, "onboarding")
    await make_ambassador(stack)
    text = await say(stack, ALICE, "onboarding")
    assert "Your onboarding: 0 of 4 done" in text
    assert "⬜ Fill in your directory profile" in text and "/ambassador profile" in text
    assert "a moderator will do this" in text


async def test_moderator_ticks_a_moderator_step_and_others_are_refused(stack: Stack) -> None:
    await make_ambassador(stack)
    assert "Only moderators" in await say(stack, BOB, f"onboarding done <@{ALICE}> announced")
    assert "Only moderators" in await say(stack, BOB, f"onboarding <@{ALICE}>")
    assert "not ticked by moderators" in await say(stack, MOD, f"onboarding done <@{ALICE}> guidelines")
    unknown = await say(stack, MOD, f"onboarding done <@{ALICE}> 🎉nope")
    assert "no onboarding step" in unknown and "`announced`" in unknown
    assert "not an active ambassador" in await say(stack, MOD, f"onboarding done <@{BOB}> announced")
    assert "Usage:" in await say(stack, MOD, "onboarding done announced")
    assert "Usage:" in await say(stack, MOD, "onboarding sideways " + "x" * 3000)

    assert "Ticked “Announce your new role”" in await say(stack, MOD, f"onboarding done <@{ALICE}> announced")
    assert "already done" in await say(stack, MOD, f"onboarding done <@{ALICE}> announced")
    theirs = await say(stack, MOD, f"onboarding <@{ALICE}>")
    assert "1 of 4 done" in theirs and f"by <@{MOD}>" in theirs
    assert "1 of 4 done" in await say(stack, ALICE, "onboarding")
    actions = await audit_actions(stack)
    assert actions.count("onboarding.step_completed") == 1
    assert "onboarding.tick.refused" in actions and "onboarding.view.refused" in actions


async def test_stuck_lists_unfinished_ambassadors_longest_serving_first(stack: Stack) -> None:
    assert "Only moderators" in await say(stack, ALICE, "onboarding stuck")
    assert "Nobody is stuck" in await say(stack, MOD, "onboarding stuck")
    await make_ambassador(stack)
    await make_ambassador(stack, BOB, name="Bob Builder", forum_username="bob")
    # Alice was approved 40 days ago, Bob 3 days ago.
    now = stack.runtime.clock.now()
    async with stack.runtime.uow() as uow:
        for slack_id, days in ((ALICE, 40), (BOB, 3)):
            pid = (await uow.people.by_slack_id(slack_id)).id  # type: ignore[union-attr]
            await uow.session.execute(
                update(Ambassador)
                .where(Ambassador.person_id == pid)
                .values(term_start=now - timedelta(days=days))
            )
    text = await say(stack, MOD, "onboarding stuck")
    assert "2 active ambassadors" in text
    assert text.index(f"<@{ALICE}>") < text.index(f"<@{BOB}>")
    assert "40 days since approval" in text and "3 days since approval" in text

    # Bob finishes everything: only Alice is left.
    async with stack.runtime.uow() as uow:
        bob = (await uow.session.execute(select(Person).where(Person.slack_user_id == BOB))).scalar_one()
        amb = (
            await uow.session.execute(select(Ambassador).where(Ambassador.person_id == bob.id))
        ).scalar_one()
        await uow.session.execute(
            update(OnboardingStep).where(OnboardingStep.ambassador_id == amb.id).values(completed_at=now)
        )
    text = await say(stack, MOD, "onboarding stuck")
    assert "1 active ambassador " in text and f"<@{BOB}>" not in text


async def test_complete_step_is_the_entry_point_for_forum_events(stack: Stack) -> None:
    await make_ambassador(stack)
    onboarding = stack.runtime.services.onboarding
    pid = await person_id(stack, ALICE)
    first = await onboarding.complete_step(pid, "intro", "forum:alice", "discourse")
    assert first is not None and first.newly_completed and first.remaining == 3
    again = await onboarding.complete_step(pid, "intro", "forum:alice", "discourse")
    assert again is not None and not again.newly_completed
    assert await onboarding.complete_step(pid, "nope", "forum:alice", "discourse") is None
    assert await onboarding.complete_step(pid + 999, "intro", "forum:x", "discourse") is None
    assert "✅ Post your introduction" in await say(stack, ALICE, "onboarding")


async def test_approval_announces_the_new_ambassador_once_in_the_channel_and_on_the_forum(
    db_url: str,
) -> None:
    topic_id = 900
    program = {"announce": True, "announce_topic_id": topic_id}
    async with start_stack(db_url, program=program) as stack:
        world.add_topic(stack.forum, topic_id, "Welcome our new ambassadors", slug="welcome", user_id=1)
        review = await stack.apply(name="Zoë *Bold* @everyone", location="Lisbon, Portugal")
        await asyncio.gather(
            stack.actor.click(MOD, MOD_CHANNEL, review["ts"], "application_approve"),
            stack.actor.click(MOD, MOD_CHANNEL, review["ts"], "application_approve"),
        )
        await stack.settle()
        [welcome] = stack.slack.messages_in(AMB_CHANNEL)
        assert welcome["text"].startswith("🎉 Please welcome Zoë *Bold* @everyone (<@U0ALICE>)")
        shown = all_text(welcome)
        assert "Lisbon, Portugal" in shown and "Kubernetes, community events" in shown
        # Only what the application says about name, location and expertise: no motivation.
        assert "meetup" not in shown
        [post] = [p for p in stack.forum.posts if p["topic_id"] == topic_id and "welcome" in p["raw"]]
        assert "Please welcome **Zoë \\*Bold\\* \\@everyone**" in post["raw"]
        assert "Lisbon, Portugal" in post["raw"] and "meetup" not in post["raw"]

        # A renewal is not announced again.
        await _renew_and_approve(stack)
        assert len(stack.slack.messages_in(AMB_CHANNEL)) == 1
        assert len([p for p in stack.forum.posts if "Please welcome" in p["raw"]]) == 1


async def test_approval_announces_the_new_ambassador_once_as_a_new_forum_topic(db_url: str) -> None:
    program = {"announce": True, "announce_category_id": 7}
    async with start_stack(db_url, program=program) as stack:
        review = await stack.apply(name="Zoë *Bold*", location="Lisbon, Portugal")
        await asyncio.gather(
            stack.actor.click(MOD, MOD_CHANNEL, review["ts"], "application_approve"),
            stack.actor.click(MOD, MOD_CHANNEL, review["ts"], "application_approve"),
        )
        await stack.settle()
        [topic] = [t for t in stack.forum.topics.values() if "new ambassador" in str(t["title"])]
        assert topic["category_id"] == 7 and topic["archetype"] == "regular"
        assert str(topic["title"]).startswith("Please welcome Zoë *Bold*, our new ambassador")
        [post] = [p for p in stack.forum.posts if p["topic_id"] == topic["id"]]
        assert "Please welcome **Zoë \\*Bold\\***" in post["raw"] and "Lisbon, Portugal" in post["raw"]
        assert "meetup" not in post["raw"]
        assert len(stack.slack.messages_in(AMB_CHANNEL)) == 1

        # A renewal opens no second topic.
        await _renew_and_approve(stack)
        assert len([t for t in stack.forum.topics.values() if "new ambassador" in str(t["title"])]) == 1


async def test_without_announce_nothing_is_posted_in_the_ambassadors_channel(stack: Stack) -> None:
    await make_ambassador(stack)
    assert stack.slack.messages_in(AMB_CHANNEL) == []
    assert [t for t in stack.forum.topics.values() if "new ambassador" in str(t.get("title"))] == []


EXTERNAL_STEPS = [
    {"key": "guidelines", "title": "Read the guidelines", "completes": "button"},
    {
        "key": "github",
        "title": "Get invited to the program's GitHub repository",
        "done_by": "moderator",
        "link": "https://github.com/orgs/example/people",
    },
    {
        "key": "community_profile",
        "title": "Update your public community profile",
        "done_by": "ambassador",
        "link": "https://example.org/community/profile",
    },
]


def shown_checklist(stack: Stack, user: str, body: dict[str, Any]) -> str:
    """A checklist answer, as Slack keeps an ephemeral message the person can click in; its ts."""
    ts = f"1800000000.{len(stack.slack.ephemerals):06d}"
    stack.slack.ephemerals.append(
        {"channel": GENERAL, "user": user, "text": body["text"], "blocks": body["blocks"], "message_ts": ts}
    )
    return ts


def step_line(body: dict[str, Any], key: str) -> dict[str, Any]:
    return next(b for b in body["blocks"] if f"(`{key}`)" in b["text"]["text"])


async def test_steps_done_elsewhere_show_their_link_and_who_completes_them(db_url: str) -> None:
    async with start_stack(db_url, program={"onboarding": EXTERNAL_STEPS}) as stack:
        await make_ambassador(stack)
        welcome = all_text(stack.slack.dms_to(ALICE)[0])
        assert "Get invited to the program's GitHub repository — _a moderator will do this_" in welcome
        assert "<https://example.org/community/profile|Open>" in welcome

        # The ambassador: a Done button on their own step, none on the moderator's.
        mine = (await stack.actor.slash(ALICE, "onboarding")).json()
        github, profile = step_line(mine, "github"), step_line(mine, "community_profile")
        assert "a moderator will do this" in github["text"]["text"] and "accessory" not in github
        assert "<https://github.com/orgs/example/people|Open>" in github["text"]["text"]
        assert profile["accessory"]["action_id"] == "onboarding_step_done"
        ts = shown_checklist(stack, ALICE, mine)
        await stack.actor.click(ALICE, GENERAL, ts, "onboarding_step_done", block_id="step_community_profile")
        await stack.listeners_done()
        assert "“Update your public community profile” is done. 2 onboarding steps to go." in (
            last_response_text(stack)
        )
        # A forged Done on the moderator's step is refused.
        await stack.actor.click(ALICE, GENERAL, ts, "onboarding_step_done", value="github")
        await stack.listeners_done()
        assert "not by a button" in last_response_text(stack)

        # A moderator's view: Done on the moderator's step; a non-moderator pressing it is refused.
        theirs = (await stack.actor.slash(MOD, f"onboarding <@{ALICE}>")).json()
        button = step_line(theirs, "github")["accessory"]
        assert button["action_id"] == "onboarding_moderator_tick"
        assert "✅ Update your public community profile" in all_text(theirs)
        assert "accessory" not in step_line(theirs, "guidelines")  # the ambassador's to press
        ts = shown_checklist(stack, MOD, theirs)
        await stack.actor.click(BOB, GENERAL, ts, "onboarding_moderator_tick", block_id="step_github")
        await stack.listeners_done()
        assert "Only moderators" in last_response_text(stack)
        await stack.actor.click(MOD, GENERAL, ts, "onboarding_moderator_tick", value="U0ALICE:gith🎉")
        await stack.listeners_done()
        assert "That button is out of date; nothing was changed." in last_response_text(stack)
        await stack.actor.click(MOD, GENERAL, ts, "onboarding_moderator_tick", block_id="step_github")
        await stack.listeners_done()
        assert "Ticked “Get invited to the program's GitHub repository” for <@U0ALICE>. 1 step to go." in (
            last_response_text(stack)
        )
        assert "2 of 3 done" in await say(stack, ALICE, "onboarding")
        assert (await audit_actions(stack)).count("onboarding.step_completed") == 2


async def _renew_and_approve(stack: Stack) -> None:
    """Alice sends a renewal and a moderator approves it."""
    await stack.actor.slash(ALICE, "renew")
    view = await stack.wait_for_view(ALICE)
    await stack.actor.submit_view(ALICE, view["id"], form_values({"reaffirm": "yes", "plans": "More."}))
    await stack.settle()
    renewal = stack.slack.messages_in(MOD_CHANNEL)[-1]
    await stack.actor.click(MOD, MOD_CHANNEL, renewal["ts"], "application_approve")
    await stack.settle()
