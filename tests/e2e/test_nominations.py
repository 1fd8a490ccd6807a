"""Nominations: nominate → moderators invite or decline → the nominee applies from the DM."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import pytest
from sqlalchemy import select

from bot.sandbox.harness.stack import ALICE, BOB, MOD, MOD_CHANNEL, Stack
from storage.models import Application
from storage.nominations import Nomination
from tests.e2e.lifecycle import all_text, audit_actions, buttons, make_ambassador, say


def nomination_reviews(stack: Stack) -> list[dict[str, Any]]:
    return [m for m in stack.slack.messages_in(MOD_CHANNEL) if "nomination" in m.get("text", "").lower()]


async def nominations(stack: Stack) -> list[Nomination]:
    async with stack.runtime.uow() as uow:
        return list((await uow.session.execute(select(Nomination).order_by(Nomination.id))).scalars())


async def test_nominate_invite_and_the_nominee_applies_from_the_dm(stack: Stack) -> None:
    answer = await say(
        stack, ALICE, f"nominate <@{BOB}|bob> Bob runs the Lisbon meetup and answers every question"
    )
    assert "Thank you" in answer and f"<@{BOB}>" in answer
    await stack.settle()
    [review] = nomination_reviews(stack)
    assert f"<@{ALICE}> nominates <@{BOB}>" in review["text"]
    assert "runs the Lisbon meetup" in all_text(review)
    assert buttons(review) == ["nomination_invite", "nomination_decline"]

    # Not a moderator: refused privately, audited, nothing sent to Bob.
    await stack.actor.click(ALICE, MOD_CHANNEL, review["ts"], "nomination_invite")
    await stack.settle()
    assert "Only moderators" in stack.slack.responses[-1]["text"]
    assert stack.slack.dms_to(BOB) == []
    assert [n.status for n in await nominations(stack)] == ["pending"]

    await stack.actor.click(MOD, MOD_CHANNEL, review["ts"], "nomination_invite")
    await stack.settle()
    assert f"Invited <@{BOB}>" in stack.slack.responses[-1]["text"]
    updated = stack.slack.find_message(MOD_CHANNEL, review["ts"])
    assert updated is not None and "invited to apply" in updated["text"] and buttons(updated) == []
    [invite] = stack.slack.dms_to(BOB)
    assert f"<@{ALICE}> nominated you" in invite["text"] and buttons(invite) == ["nomination_apply"]
    assert "thanks to your nomination" in stack.slack.dms_to(ALICE)[-1]["text"]

    # The DM button opens the application form; Bob sends it.
    await stack.actor.click(BOB, invite["channel"], invite["ts"], "nomination_apply")
    view = await stack.wait_for_view(BOB)
    assert view["callback_id"] == "application_submit"
    form = {
        "name": "Bob Builder",
        "forum_username": "bob",
        "location": "Lisbon, Portugal",
        "timezone": "Europe/Lisbon",
        "expertise": "Meetups",
        "motivation": "I was nominated!",
    }
    await stack.actor.submit_view(BOB, view["id"], {k: {k: v} for k, v in form.items()})
    await stack.settle()
    async with stack.runtime.uow() as uow:
        apps = list((await uow.session.execute(select(Application))).scalars())
    assert [(a.name, a.status) for a in apps] == [("Bob Builder", "pending")]

    # A second click on the old invitation: the form says why it can't be used.
    await stack.actor.click(BOB, invite["channel"], invite["ts"], "nomination_apply")
    view = await stack.wait_for_view(BOB)
    assert "already have an application" in json.dumps(view["blocks"])

    actions = await audit_actions(stack)
    assert "nomination.submitted" in actions and "nomination.invited" in actions
    assert "nomination.invite.refused" in actions


async def test_decline_tells_the_nominator_and_a_second_click_is_too_late(stack: Stack) -> None:
    await say(stack, ALICE, f"nominate <@{BOB}> Great at docs")
    await stack.settle()
    [review] = nomination_reviews(stack)
    # A double click: one decision, and the other click is told it came too late.
    await asyncio.gather(
        stack.actor.click(MOD, MOD_CHANNEL, review["ts"], "nomination_decline"),
        stack.actor.click(MOD, MOD_CHANNEL, review["ts"], "nomination_decline"),
    )
    await stack.settle()
    texts = [r["text"] for r in stack.slack.responses]
    assert sum("Declined nomination #1" in t for t in texts) == 1
    assert sum("already declined" in t or "someone else" in t for t in texts) == 1
    assert stack.slack.dms_to(BOB) == []
    assert "decided not to invite" in stack.slack.dms_to(ALICE)[-1]["text"]
    updated = stack.slack.find_message(MOD_CHANNEL, review["ts"])
    assert updated is not None and "Declined" in all_text(updated) and buttons(updated) == []
    assert [n.status for n in await nominations(stack)] == ["declined"]
    # Once declined, someone may nominate Bob again later.
    assert "Thank you" in await say(stack, MOD, f"nominate <@{BOB}> Now leads two meetups")


async def test_refusals_are_clear_and_record_nothing(stack: Stack) -> None:
    command = "/ambassador"
    self_nom = await say(stack, ALICE, f"nominate <@{ALICE}> I am great")
    assert "can't nominate yourself" in self_nom and f"{command} apply" in self_nom
    assert "Usage:" in await say(stack, ALICE, "nominate")
    assert "mention them with @" in await say(stack, ALICE, "nominate Bob! he is great")
    assert "can't find" in await say(stack, ALICE, "nominate <@U0NOBODY> ghost")
    assert "say why" in await say(stack, ALICE, f"nominate <@{BOB}>")
    assert "under 2000 characters" in await say(stack, ALICE, f"nominate <@{BOB}> " + "ü🎉" * 1500)
    assert await nominations(stack) == []

    # Already nominated (still pending): a clear refusal, one nomination on record.
    await say(stack, ALICE, f"nominate <@{BOB}> <!channel> ünïcødé 🎉")
    assert "already nominated" in await say(stack, MOD, f"nominate <@{BOB}> me too")
    await stack.settle()
    [review] = nomination_reviews(stack)
    assert "<!channel>" not in all_text(review)  # user text cannot ping the channel
    assert len(await nominations(stack)) == 1


async def test_active_ambassadors_and_pending_applicants_cannot_be_nominated(stack: Stack) -> None:
    await make_ambassador(stack)
    assert "already an ambassador" in await say(stack, BOB, f"nominate <@{ALICE}> She is great")
    await stack.apply(BOB, name="Bob", forum_username="bob")
    assert "already applied" in await say(stack, ALICE, f"nominate <@{BOB}> He is great")
    assert await nominations(stack) == []


async def test_someone_not_in_slack_is_nominated_by_forum_username_and_invited_on_the_forum(
    stack: Stack,
) -> None:
    stack.forum.add_user("Zoe_Forum", "Zoë")
    # Unknown on the forum: one clear line, nothing stored.
    assert "There is no forum account named nobody_here" in await say(
        stack, ALICE, "nominate nobody_here Runs the Porto meetup"
    )
    assert "Please say why" in await say(stack, ALICE, "nominate zoe_forum")
    assert "I don't know who" in await say(stack, ALICE, "nominate not/a/name 🎉 why")
    assert await nominations(stack) == []

    answer = await say(stack, ALICE, "nominate zoe_forum Runs the Porto meetup")
    assert "Your nomination of Zoe_Forum (on the forum)" in answer
    assert "already nominated" in await say(stack, BOB, "nominate @ZOE_FORUM Again")
    await stack.settle()
    [review] = nomination_reviews(stack)
    assert f"<@{ALICE}> nominates Zoe_Forum (on the forum)" in review["text"]
    assert "forum private message" in all_text(review)

    await stack.actor.click(MOD, MOD_CHANNEL, review["ts"], "nomination_invite")
    await stack.settle()
    assert "Invited Zoe_Forum (on the forum) to apply" in stack.slack.responses[-1]["text"]
    assert "private message on the forum" in stack.slack.responses[-1]["text"]
    [pm] = stack.forum.pms_to("Zoe_Forum")
    assert "Runs the Porto meetup" in pm["raw"] and "`/ambassador apply`" in pm["raw"]
    assert "alice nominated you" in pm["raw"]  # who nominated them, by name
    assert "invited Zoe_Forum (on the forum) to apply" in stack.slack.dms_to(ALICE)[-1]["text"]
    [nom] = await nominations(stack)
    assert (nom.status, nom.nominee_forum_username, nom.nominee_slack_id) == ("invited", "Zoe_Forum", "")


async def test_a_forum_username_linked_to_slack_nominates_the_slack_user(stack: Stack) -> None:
    await make_ambassador(stack, BOB, name="Bob Builder", forum_username="bob")
    assert "already an ambassador" in await say(stack, ALICE, "nominate bob Runs meetups")
    assert await nominations(stack) == []


async def test_an_email_of_a_slack_member_nominates_them_in_slack(stack: Stack) -> None:
    stack.slack.add_user("U0JANE", "jane", email="Jane@Example.org")
    answer = await say(stack, ALICE, "nominate <mailto:jane@example.org|jane@example.org> Runs meetups")
    assert "Thank you" in answer and "<@U0JANE>" in answer
    [nom] = await nominations(stack)
    assert (nom.nominee_slack_id, nom.nominee_forum_username, nom.status) == ("U0JANE", None, "pending")
    assert stack.forum.calls_to("GET", "/admin/users/list") == []  # Slack answered first
    assert "example.org" not in json.dumps(await audit_actions(stack))


async def test_an_email_of_a_forum_only_account_nominates_it_and_invites_by_forum_pm(
    stack: Stack,
) -> None:
    stack.forum.add_user("Dave_Forum", "Dave", email="dave@example.org")
    answer = await say(stack, ALICE, "nominate DAVE@example.org Answers every question on the forum")
    assert "Your nomination of Dave_Forum (on the forum)" in answer
    [nom] = await nominations(stack)
    assert (nom.nominee_slack_id, nom.nominee_forum_username) == ("", "Dave_Forum")
    await stack.settle()
    [review] = nomination_reviews(stack)
    await stack.actor.click(MOD, MOD_CHANNEL, review["ts"], "nomination_invite")
    await stack.settle()
    [pm] = stack.forum.pms_to("Dave_Forum")
    assert "Answers every question" in pm["raw"]
    assert "example.org" not in json.dumps(await audit_actions(stack))


async def test_an_unknown_email_is_one_line_and_nothing_is_stored(
    stack: Stack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    answer = await say(stack, ALICE, "nominate <mailto:jane@example.org|jane@example.org> Runs meetups")
    assert answer.startswith("Nobody in Slack or on the forum has the address jane@example.org")
    assert "\n" not in answer.strip()
    assert await nominations(stack) == []
    assert "jane@example.org" not in json.dumps(await audit_actions(stack))
    assert "jane@example.org" not in caplog.text


async def test_slack_refusing_the_lookup_falls_back_to_the_forum(
    stack: Stack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    stack.slack.add_user("U0JANE", "jane", email="jane@example.org")
    stack.forum.add_user("Jane_Forum", "Jane", email="jane@example.org")
    stack.slack.fail_next("users.lookupByEmail", times=2, status=200, error="missing_scope")
    answer = await say(stack, ALICE, "nominate jane@example.org Runs meetups")
    assert "Your nomination of Jane_Forum (on the forum)" in answer
    [nom] = await nominations(stack)
    assert nom.nominee_forum_username == "Jane_Forum"

    # Nobody on the forum either: one line naming what could not be asked, nothing stored.
    answer = await say(stack, ALICE, "nominate zed@example.org Runs meetups")
    assert answer.startswith("Nobody on the forum has the address zed@example.org")
    assert "could not ask Slack" in answer and "missing_scope" in answer
    assert len(await nominations(stack)) == 1
    assert "zed@example.org" not in caplog.text
