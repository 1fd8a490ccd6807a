"""Apply → review → approve/reject, end to end over real HTTP against the stand-ins."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from sqlalchemy import select

from bot.sandbox.harness.stack import ALICE, BADGE_ID, BOB, GROUP, MOD, MOD_CHANNEL, Stack
from storage.models import Ambassador, Application, AuditEntry


def _buttons(message: dict[str, Any]) -> list[str]:
    return [
        el.get("action_id", "")
        for block in message.get("blocks", [])
        if block.get("type") == "actions"
        for el in block.get("elements", [])
    ]


async def _applications(stack: Stack) -> list[Application]:
    async with stack.runtime.uow() as uow:
        return list((await uow.session.execute(select(Application))).scalars())


async def test_help_lists_every_subcommand_with_an_example(stack: Stack) -> None:
    resp = await stack.actor.slash(ALICE, "help")
    assert resp.status_code == 200
    body = resp.json()
    assert body["response_type"] == "ephemeral"
    for sub in ("help", "apply", "status"):
        assert f"/ambassador {sub}" in body["text"]


async def test_unknown_subcommand_gets_help_and_changes_nothing(stack: Stack) -> None:
    resp = await stack.actor.slash(ALICE, "frobnicate <!channel> ünïcødé 🎉 " + "x" * 5000)
    assert resp.status_code == 200
    assert "too long" in resp.json()["text"]
    resp = await stack.actor.slash(ALICE, "frobnicate 🎉")
    text = resp.json()["text"]
    # One line pointing to `help`, not the whole help (issue 17).
    assert "I don't know the command `frobnicate`" in text and "`/ambassador help`" in text
    assert "/ambassador apply" not in text and "\n" not in text
    assert await _applications(stack) == []
    assert await stack.outbox_waiting() == 0


async def test_apply_then_approve_delivers_badge_group_and_welcome_once(stack: Stack) -> None:
    review = await stack.apply()
    assert "application #1" in review["text"].lower()
    assert _buttons(review) == ["application_approve", "application_reject"]

    # Two clicks on Approve at once (a double click, or two moderators): one decision, once.
    first, second = await asyncio.gather(
        stack.actor.click(MOD, MOD_CHANNEL, review["ts"], "application_approve"),
        stack.actor.click(MOD, MOD_CHANNEL, review["ts"], "application_approve"),
    )
    assert first.status_code == second.status_code == 200
    await stack.settle()

    # The forum: badge once, group membership once.
    assert stack.forum.badges_of("alice") == ["Ambassador"]
    assert "alice" in stack.forum.members_of(GROUP)
    assert len(stack.forum.calls_to("POST", "/user_badges")) == 1
    assert len(stack.forum.calls_to("PUT", "/groups/41/members")) == 1
    # Slack: one welcome DM with the checklist; the review message shows who decided, no buttons.
    dms = stack.slack.dms_to(ALICE)
    assert len(dms) == 1
    assert "Welcome" in dms[0]["text"]
    assert "Post your introduction" in json.dumps(dms[0]["blocks"])
    updated = stack.slack.find_message(MOD_CHANNEL, review["ts"])
    assert updated is not None and f"<@{MOD}>" in updated["text"] and _buttons(updated) == []
    # The moderator got an ephemeral confirmation, and the second click was told it was too late.
    texts = [r.get("text", "") for r in stack.slack.responses]
    assert sum("Approved application #1" in t for t in texts) == 1
    assert sum("already approved" in t or "decided by someone else" in t for t in texts) == 1

    async with stack.runtime.uow() as uow:
        amb = (await uow.session.execute(select(Ambassador))).scalar_one()
        assert amb.status == "active"
        assert 730 <= (amb.term_end - amb.term_start).days <= 731  # two calendar years
        actions = [a.action for a in (await uow.session.execute(select(AuditEntry))).scalars()]
    assert "application.submitted" in actions and "application.approved" in actions

    # /ambassador status now shows the term and the checklist.
    status = (await stack.actor.slash(ALICE, "status")).json()["text"]
    assert "You are an ambassador" in status and "0 of 4 done" in status


async def test_guidelines_button_in_welcome_completes_the_step(stack: Stack) -> None:
    review = await stack.apply()
    await stack.actor.click(MOD, MOD_CHANNEL, review["ts"], "application_approve")
    await stack.settle()
    dm = stack.slack.dms_to(ALICE)[0]
    await stack.actor.click(ALICE, dm["channel"], dm["ts"], "onboarding_ack_guidelines")
    await stack.listeners_done()  # Bolt acks the click first and runs the listener after
    status = (await stack.actor.slash(ALICE, "status")).json()["text"]
    assert "1 of 4 done" in status


async def test_non_moderator_is_refused_and_nothing_changes(stack: Stack) -> None:
    review = await stack.apply()
    for action in ("application_approve", "application_reject"):
        resp = await stack.actor.click(BOB, MOD_CHANNEL, review["ts"], action)
        assert resp.status_code == 200
    await stack.settle()
    refusals = [r for r in stack.slack.responses if "Only moderators" in r.get("text", "")]
    assert len(refusals) == 2 and all(r.get("response_type") == "ephemeral" for r in refusals)
    assert [a.status for a in await _applications(stack)] == ["pending"]
    assert stack.forum.calls_to("POST", "/user_badges") == []
    assert stack.slack.dms_to(ALICE) == []
    assert stack.slack.last_view_for(BOB) is None  # no reject modal for a non-moderator
    async with stack.runtime.uow() as uow:
        refused = [a.action for a in (await uow.session.execute(select(AuditEntry))).scalars()]
    assert "application.approve.refused" in refused


async def test_reject_asks_for_a_reason_and_tells_the_applicant(stack: Stack) -> None:
    review = await stack.apply()
    await stack.actor.click(MOD, MOD_CHANNEL, review["ts"], "application_reject")
    view = await stack.wait_for_view(MOD)
    resp = await stack.actor.submit_view(MOD, view["id"], {"reason": {"reason_input": "   "}})
    assert resp.json()["response_action"] == "errors"
    assert [a.status for a in await _applications(stack)] == ["pending"]

    resp = await stack.actor.submit_view(
        MOD, view["id"], {"reason": {"reason_input": "Please link two contributions first."}}
    )
    assert resp.status_code == 200
    await stack.settle()
    dms = stack.slack.dms_to(ALICE)
    assert len(dms) == 1 and "Please link two contributions first." in dms[0]["text"]
    updated = stack.slack.find_message(MOD_CHANNEL, review["ts"])
    assert updated is not None and "rejected" in updated["text"] and _buttons(updated) == []
    assert stack.forum.calls_to("POST", "/user_badges") == []
    status = (await stack.actor.slash(ALICE, "status")).json()["text"]
    assert "not accepted" in status
    # A rejected applicant may apply again.
    await stack.apply(motivation="Second try, with links.")
    assert sorted(a.status for a in await _applications(stack)) == ["pending", "rejected"]


async def test_invalid_answers_are_shown_on_the_form_and_nothing_is_stored(stack: Stack) -> None:
    await stack.actor.slash(ALICE, "apply")
    view = await stack.wait_for_view(ALICE)
    resp = await stack.actor.submit_view(
        ALICE,
        view["id"],
        {
            "name": {"name": "Ålice 🎉"},
            "forum_username": {"forum_username": "not a username!"},
            "location": {"location": "Lisbon"},
            "timezone": {"timezone": "Mars/Olympus"},
            "expertise": {"expertise": "k8s"},
            "motivation": {"motivation": "yes"},
        },
    )
    body = resp.json()
    assert body["response_action"] == "errors"
    assert set(body["errors"]) == {"forum_username", "timezone"}
    assert await _applications(stack) == []
    assert stack.review_messages() == []


async def test_second_application_while_pending_is_refused(stack: Stack) -> None:
    await stack.apply()
    await stack.actor.slash(ALICE, "apply")
    view = await stack.wait_for_view(ALICE)
    # The modal opened at once (trigger_id is short-lived) and then says why it cannot be used.
    assert "already have an application" in json.dumps(view["blocks"])
    assert len(await _applications(stack)) == 1


async def test_discourse_outage_delays_but_loses_nothing(stack: Stack) -> None:
    review = await stack.apply()
    stack.forum.down = True
    await stack.actor.click(MOD, MOD_CHANNEL, review["ts"], "application_approve")
    # While the forum is down the Slack side still completes and forum actions wait.
    await stack.listeners_done()
    for _ in range(100):
        rows = {r.kind: r for r in await stack.outbox_rows()}
        if rows["discourse.grant_badge"].attempts >= 2 and stack.slack.dms_to(ALICE):
            break
        await stack_sleep(0.05)
    rows = {r.kind: r for r in await stack.outbox_rows()}
    assert rows["discourse.grant_badge"].status == "in_flight"
    assert "Discourse server error" in (rows["discourse.grant_badge"].last_error or "")
    assert stack.forum.badges_of("alice") == []
    stack.forum.down = False
    await stack.settle()
    assert stack.forum.badges_of("alice") == ["Ambassador"]
    assert "alice" in stack.forum.members_of(GROUP)
    assert len([c for c in stack.forum.calls_to("POST", "/user_badges") if c[3] == 200]) == 1
    assert len(stack.slack.dms_to(ALICE)) == 1
    assert BADGE_ID == 105


async def stack_sleep(seconds: float) -> None:
    import asyncio

    await asyncio.sleep(seconds)


async def test_a_renewal_reads_as_a_renewal_and_its_approval_extends_the_term(stack: Stack) -> None:
    from bot.sandbox.harness.stack import form_values

    review = await stack.apply()
    await stack.actor.click(MOD, MOD_CHANNEL, review["ts"], "application_approve")
    await stack.settle()
    await stack.actor.slash(ALICE, "renew")
    view = await stack.wait_for_view(ALICE)
    resp = await stack.actor.submit_view(
        ALICE, view["id"], form_values({"reaffirm": "yes", "plans": "More meetups in Lisbon."})
    )
    assert resp.status_code == 200, resp.text
    await stack.settle()
    card = stack.slack.messages_in(MOD_CHANNEL)[-1]
    assert card["text"] == f"Renewal #2 from <@{ALICE}>"
    shown = json.dumps(card["blocks"])
    assert "More meetups in Lisbon." in shown and "Location" not in shown
    await stack.actor.click(MOD, MOD_CHANNEL, card["ts"], "application_approve")
    await stack.settle()
    texts = [r.get("text", "") for r in stack.slack.responses]
    confirmation = next(t for t in texts if "renewal #2" in t)
    assert "term is extended until" in confirmation and "welcome" not in confirmation
    redrawn = stack.slack.find_message(MOD_CHANNEL, card["ts"])
    assert redrawn is not None and redrawn["text"].startswith("Renewal #2 from")
    assert _buttons(redrawn) == [] and "Current term ends" in json.dumps(redrawn["blocks"])
