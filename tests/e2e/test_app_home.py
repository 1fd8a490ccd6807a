"""The App Home tab: status, checklist, placeholders, and the moderators' review queue (with
buttons that work from the tab); services queue a refresh when something about a person changes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.sandbox.harness.stack import ALICE, BOB, MOD, MOD_CHANNEL, Stack
from storage.models import Application
from storage.nominations import Nomination
from tests.e2e.lifecycle import all_text, buttons, make_ambassador, say


async def open_home(stack: Stack, user: str) -> dict[str, Any]:
    resp = await stack.actor.app_home_opened(user)
    assert resp.status_code == 200
    await stack.listeners_done()
    home = stack.slack.home_tabs[user]
    assert home["type"] == "home"
    return home


async def statuses(stack: Stack) -> tuple[list[str], list[str]]:
    async with stack.runtime.uow() as uow:
        apps = [
            a.status
            for a in (await uow.session.execute(select(Application).order_by(Application.id))).scalars()
        ]
        noms = [
            n.status
            for n in (await uow.session.execute(select(Nomination).order_by(Nomination.id))).scalars()
        ]
    return apps, noms


async def test_a_newcomer_sees_how_to_start_and_the_placeholders(stack: Stack) -> None:
    home = await open_home(stack, BOB)
    text = all_text(home)
    assert "not an ambassador yet" in text and "/ambassador apply" in text
    assert "No upcoming events yet" in text and "No open requests yet" in text
    assert "Review queue" not in text and buttons(home) == []
    # The Messages tab is not the Home tab: nothing is published for it.
    await stack.actor.event({"type": "app_home_opened", "user": ALICE, "channel": "DX", "tab": "messages"})
    await stack.listeners_done()
    assert ALICE not in stack.slack.home_tabs


async def test_an_ambassador_ticks_the_guidelines_from_the_home_tab(stack: Stack) -> None:
    await make_ambassador(stack)
    home = await open_home(stack, ALICE)
    text = all_text(home)
    assert "You are an ambassador" in text and "Onboarding: 0 of 4 done" in text
    assert "Forum account: *alice* (linked)" in text
    assert buttons(home) == ["onboarding_ack_guidelines"]
    resp = await stack.actor.click(ALICE, action_id="onboarding_ack_guidelines", view_id=home["id"])
    assert resp.status_code == 200
    await stack.listeners_done()
    # A click in the tab has no response_url: the answer opens as a small modal, the tab is redrawn.
    assert "is done" in all_text(stack.slack.last_view_for(ALICE) or {})
    home = stack.slack.home_tabs[ALICE]
    assert "Onboarding: 1 of 4 done" in all_text(home) and buttons(home) == []


async def test_moderators_review_applications_from_the_home_tab(stack: Stack) -> None:
    review = await stack.apply()
    await stack.apply(BOB, name="Bob Builder", forum_username="bob")
    home = await open_home(stack, MOD)
    text = all_text(home)
    assert "2 pending applications" in text and "0 pending nominations" in text
    assert "Application #1" in text and "Bob Builder" in text
    assert buttons(home).count("application_approve") == 2

    # Someone who is not a moderator cannot use those buttons (say, a forged click): refused.
    await stack.actor.click(BOB, action_id="application_approve", value="1", view_id=home["id"])
    await stack.listeners_done()
    assert "Only moderators" in all_text(stack.slack.last_view_for(BOB) or {})

    # Approve from the tab: decided, the channel's review message updated, the tab redrawn.
    await stack.actor.click(MOD, action_id="application_approve", value="1", view_id=home["id"])
    await stack.settle()
    assert (await statuses(stack))[0] == ["approved", "pending"]
    assert "Approved application #1" in all_text(stack.slack.last_view_for(MOD) or {})
    updated = stack.slack.find_message(MOD_CHANNEL, review["ts"])
    assert updated is not None and f"<@{MOD}>" in updated["text"] and buttons(updated) == []
    home = stack.slack.home_tabs[MOD]
    assert "*1 pending application*" in all_text(home) and "Application #1" not in all_text(home)

    # Reject from the tab: the reason modal opens, then the tab is redrawn.
    await stack.actor.click(MOD, action_id="application_reject", value="2", view_id=home["id"])
    modal = await stack.wait_for_view(MOD)
    assert modal["callback_id"] == "application_reject_reason"
    await stack.actor.submit_view(MOD, modal["id"], {"reason": {"reason_input": "Please add links."}})
    await stack.settle()
    assert (await statuses(stack))[0] == ["approved", "rejected"]
    assert "Please add links." in stack.slack.dms_to(BOB)[-1]["text"]
    assert "0 pending applications" in all_text(stack.slack.home_tabs[MOD])


async def test_moderators_invite_a_nominee_from_the_home_tab(stack: Stack) -> None:
    await say(stack, ALICE, f"nominate <@{MOD}> Carol would be great")
    await stack.settle()
    home = await open_home(stack, MOD)
    assert "*1 pending nomination*" in all_text(home) and "Carol would be great" in all_text(home)
    assert buttons(home) == ["nomination_invite", "nomination_decline"]
    await stack.actor.click(MOD, action_id="nomination_invite", view_id=home["id"])
    await stack.settle()
    assert (await statuses(stack))[1] == ["invited"]
    assert "nominated you" in stack.slack.dms_to(MOD)[-1]["text"]
    assert "0 pending nominations" in all_text(stack.slack.home_tabs[MOD])


async def test_a_change_republishes_the_home_tab_without_opening_it(stack: Stack) -> None:
    await make_ambassador(stack)
    # Alice never opened the tab: the approval alone (outbox SLACK_HOME) drew it.
    text = all_text(stack.slack.home_tabs[ALICE])
    assert "You are an ambassador" in text and "Onboarding: 0 of 4 done" in text
    rows = [r for r in await stack.outbox_rows() if r.kind == "slack.home" and r.payload["user"] == ALICE]
    assert rows[-1].key.startswith(f"home:{ALICE}:") and rows[-1].status == "delivered"

    # Saving a profile, a moderator's tick, a link: each redraws it.
    before = len(rows)
    await stack.runtime.services.profiles.save(ALICE, {"expertise": "Go", "contact": "here"})
    await say(stack, MOD, f"onboarding done <@{ALICE}> announced")
    await say(stack, MOD, f"link <@{ALICE}> alice")
    await stack.settle()
    rows = [r for r in await stack.outbox_rows() if r.kind == "slack.home" and r.payload["user"] == ALICE]
    assert len(rows) == before + 3
    assert "Onboarding: 2 of 4 done" in all_text(stack.slack.home_tabs[ALICE])

    # Stepping down: the tab says so at once.
    await stack.runtime.services.lifecycle.retire(
        ALICE, (await stack.runtime.services.lifecycle.retire_prompt(ALICE)).ambassador_id
    )
    await stack.settle()
    assert "alumnus" in all_text(stack.slack.home_tabs[ALICE])
