"""The App Home tab: status, checklist, placeholders, and the moderators' review queue (with
buttons that work from the tab); services queue a refresh when something about a person changes."""

from __future__ import annotations

from typing import Any

from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import select

from handlers.slack.blocks import render_view
from storage.models import Application, Nomination
from tests.e2e.lifecycle import all_text, buttons, make_ambassador, say
from tests.stack import ALICE, BOB, BOT_TOKEN, MOD, MOD_CHANNEL, Stack


async def open_home(stack: Stack, user: str) -> dict[str, Any]:
    resp = await stack.actor.app_home_opened(user)
    assert resp.status_code == 200
    await stack.listeners_done()
    home = stack.slack.home_tabs[user]
    assert home["type"] == "home"
    return home


async def statuses(stack: Stack) -> tuple[list[str], list[str]]:
    async with stack.runtime.uow() as uow:
        apps = [a.status for a in (await uow.session.execute(select(Application))).scalars()]
        noms = [n.status for n in (await uow.session.execute(select(Nomination))).scalars()]
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


async def test_moderators_review_applications_and_nominations_from_the_home_tab(stack: Stack) -> None:
    review = await stack.apply()
    await stack.apply(BOB, name="Bob Builder", forum_username="bob")
    await say(stack, ALICE, f"nominate <@{MOD}> Carol would be great")
    await stack.settle()
    home = await open_home(stack, MOD)
    text = all_text(home)
    assert "2 pending application(s)" in text and "1 pending nomination(s)" in text
    assert "Application #1" in text and "Carol would be great" in text
    assert buttons(home).count("application_approve") == 2 and "nomination_invite" in buttons(home)

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
    assert "1 pending application(s)" in all_text(home) and "Application #1" not in all_text(home)

    # Reject from the tab: the reason modal opens, then the tab is redrawn.
    await stack.actor.click(MOD, action_id="application_reject", value="2", view_id=home["id"])
    modal = await stack.wait_for_view(MOD)
    assert modal["callback_id"] == "application_reject_reason"
    await stack.actor.submit_view(MOD, modal["id"], {"reason": {"reason_input": "Please add links."}})
    await stack.settle()
    assert (await statuses(stack))[0] == ["approved", "rejected"]
    assert "Please add links." in stack.slack.dms_to(BOB)[-1]["text"]
    assert "0 pending application(s)" in all_text(stack.slack.home_tabs[MOD])

    # Invite a nominee from the tab.
    home = stack.slack.home_tabs[MOD]
    await stack.actor.click(MOD, action_id="nomination_invite", view_id=home["id"])
    await stack.settle()
    assert (await statuses(stack))[1] == ["invited"]
    assert "nominated you" in stack.slack.dms_to(MOD)[-1]["text"]
    assert "0 pending nomination(s)" in all_text(stack.slack.home_tabs[MOD])


async def test_a_change_queues_a_fresh_home_tab_for_the_person(stack: Stack) -> None:
    await make_ambassador(stack)
    rows = [r for r in await stack.outbox_rows() if r.kind == "slack.home" and r.payload["user"] == ALICE]
    assert rows and rows[-1].payload["template"] == "home"
    assert rows[-1].key.startswith(f"home:{ALICE}:")
    # What the worker will publish: a valid Home view saying she is an ambassador now.
    view = render_view(rows[-1].payload["template"], rows[-1].payload["data"])
    client = AsyncWebClient(token=BOT_TOKEN, base_url=f"{stack.slack.base_url}/api/")
    await client.views_publish(user_id=ALICE, view=view)
    text = all_text(stack.slack.home_tabs[ALICE])
    assert "You are an ambassador" in text and "Onboarding: 0 of 4 done" in text

    # Saving a profile, linking, ticking, retiring: each queues another refresh.
    before = len(rows)
    await stack.runtime.services.profiles.save(ALICE, {"expertise": "Go", "contact": "here"})
    await say(stack, MOD, f"onboarding done <@{ALICE}> announced")
    await say(stack, MOD, f"link <@{ALICE}> alice")
    rows = [r for r in await stack.outbox_rows() if r.kind == "slack.home" and r.payload["user"] == ALICE]
    assert len(rows) == before + 3
    assert [s["done"] for s in rows[-1].payload["data"]["steps"]] == [False, False, True, True]
