"""Requests end to end over real HTTP: each kind from its form through the review queue to closed,
the two-approver rule, the quarterly budget, asking for information, and bad input refused."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, inspect, select

from bot.sandbox.harness.stack import ALICE, BOB, MOD, MOD_CHANNEL, Stack, pg_database, start_stack
from storage.requests import Request, RequestApproval
from tests.e2e.lifecycle import all_text, audit_actions, buttons, make_ambassador, say

MOD2 = "U0MOD2"
TODAY = datetime.now(UTC).date()


def review_messages(stack: Stack) -> list[dict[str, Any]]:
    return [m for m in stack.slack.messages_in(MOD_CHANNEL) if " request " in m.get("text", "")]


async def open_form(stack: Stack, user: str, kind: str) -> dict[str, Any]:
    resp = await stack.actor.slash(user, f"request {kind}")
    assert resp.status_code == 200
    return await stack.wait_for_view(user)


async def submit(stack: Stack, user: str, view: dict[str, Any], answers: dict[str, Any]) -> dict[str, Any]:
    """Submit the form; answers by block id (each input's action id is its block id)."""
    resp = await stack.actor.submit_view(user, view["id"], {k: {k: v} for k, v in answers.items()})
    assert resp.status_code == 200, resp.text
    return resp.json() if resp.text.strip() else {}


HARDWARE = {
    "items": "2 × Raspberry Pi 5 (8 GB)\n1 × HDMI capture card",
    "purpose": "Live demo of the edge cluster at the Lisbon meetup 🎉",
    "link": "https://example.org/meetups/lisbon-2026",
    "shipping_country": "Portugal",
    "needed_by": (TODAY + timedelta(days=30)).isoformat(),
}
EXPENSE = {
    "amount": "125.50",
    "currency": "eur",
    "spent_on": (TODAY - timedelta(days=3)).isoformat(),
    "description": "Pizza for the Lisbon meetup (32 people)",
    "receipt_url": "https://example.org/receipts/pizza.pdf",
}
SWAG = {"event": "KubeCon EU booth, 2026-03-18", "attendees": "400", "address": "Rua Augusta 1\n1100 Lisboa"}


async def send_request(stack: Stack, user: str, kind: str, answers: dict[str, Any]) -> dict[str, Any]:
    view = await open_form(stack, user, kind)
    body = await submit(stack, user, view, answers)
    assert body.get("response_action") == "update", body
    await stack.settle()
    return body


async def requests_in_db(stack: Stack) -> list[Request]:
    async with stack.runtime.uow() as uow:
        return list((await uow.session.execute(select(Request).order_by(Request.id))).scalars())


@pytest.fixture
async def two_mods(db_url: str) -> AsyncIterator[Stack]:
    """A bot with two moderators and the two-approver rule for expenses above 500 EUR."""
    async with start_stack(
        db_url,
        slack={"moderators": [MOD, MOD2]},
        requests={
            "expense": {"two_approvers_above": {"EUR": "500"}, "max_amount": {"EUR": "5000"}},
            "hardware": {"quarterly_budget": {"EUR": "1000"}},
        },
    ) as s:
        s.slack.add_user(MOD2, "dave")
        yield s


async def test_hardware_request_from_form_to_shipped(stack: Stack) -> None:
    await make_ambassador(stack)
    body = await send_request(stack, ALICE, "hardware", HARDWARE)
    # The form turns into a thank-you that gives the reference to quote.
    assert "HW-0001" in all_text(body["view"])
    dms = stack.slack.dms_to(ALICE)
    assert "Your hardware request *HW-0001* is in" in dms[-1]["text"]

    review = review_messages(stack)[-1]
    text = all_text(review)
    assert "HW-0001" in text and "Raspberry Pi 5" in text and "Portugal" in text and "🎉" in text
    assert buttons(review) == ["request_approve", "request_reject", "request_ask"]

    await stack.actor.click(MOD, MOD_CHANNEL, review["ts"], "request_approve")
    await stack.settle()
    assert "HW-0001* was approved by <@U0MOD>" in stack.slack.dms_to(ALICE)[-1]["text"]
    review = stack.slack.find_message(MOD_CHANNEL, review["ts"]) or {}
    assert buttons(review) == ["request_close"] and "Mark shipped" in str(review["blocks"])
    assert "Approved HW-0001" in stack.slack.responses[-1]["text"]

    await stack.actor.click(MOD, MOD_CHANNEL, review["ts"], "request_close")
    await stack.settle()
    assert "HW-0001* has been shipped. The request is closed." in stack.slack.dms_to(ALICE)[-1]["text"]
    review = stack.slack.find_message(MOD_CHANNEL, review["ts"]) or {}
    assert buttons(review) == [] and "shipped (closed)" in review["text"]
    # Submitted, approved, shipped: one direct message for each change.
    assert len([d for d in stack.slack.dms_to(ALICE) if "HW-0001" in d["text"]]) == 3

    mine = await say(stack, ALICE, "requests")
    assert "HW-0001" in mine and "shipped (closed)" in mine
    assert [r.status for r in await requests_in_db(stack)] == ["shipped"]
    actions = await audit_actions(stack)
    assert {"request.submitted", "request.approved", "request.shipped"} <= set(actions)


async def test_expense_with_two_approvers_and_reimbursement(two_mods: Stack) -> None:
    stack = two_mods
    await make_ambassador(stack)
    await send_request(stack, ALICE, "expense", {**EXPENSE, "amount": "750.00"})
    await send_request(stack, ALICE, "expense", EXPENSE)  # 125.50 EUR: one approver is enough
    big, small = review_messages(stack)
    assert "EX-0001" in big["text"] and "needs 2 approvers" in all_text(big)
    assert "750.00 EUR" in all_text(big) and "EX-0002" in small["text"]

    await stack.actor.click(MOD, MOD_CHANNEL, big["ts"], "request_approve")
    await stack.settle()
    assert "It needs 2 approvals" in stack.slack.dms_to(ALICE)[-1]["text"]
    assert [r.status for r in await requests_in_db(stack)] == ["pending", "pending"]
    assert "(1 of 2 approvals)" in await say(stack, ALICE, "requests")

    # The same moderator cannot be the second approver.
    await stack.actor.click(MOD, MOD_CHANNEL, big["ts"], "request_approve")
    await stack.settle()
    assert "already approved EX-0001" in stack.slack.responses[-1]["text"]
    assert [r.status for r in await requests_in_db(stack)] == ["pending", "pending"]

    await stack.actor.click(MOD2, MOD_CHANNEL, big["ts"], "request_approve")
    await stack.actor.click(MOD, MOD_CHANNEL, small["ts"], "request_approve")
    await stack.settle()
    assert [r.status for r in await requests_in_db(stack)] == ["approved", "approved"]
    approved_dm = [d for d in stack.slack.dms_to(ALICE) if "EX-0001* was approved" in d["text"]]
    assert len(approved_dm) == 1 and "<@U0MOD>, <@U0MOD2>" in approved_dm[0]["text"]

    big = stack.slack.find_message(MOD_CHANNEL, big["ts"]) or {}
    assert "Mark reimbursed" in str(big["blocks"])
    await stack.actor.click(MOD2, MOD_CHANNEL, big["ts"], "request_close")
    await stack.settle()
    assert "EX-0001* has been reimbursed" in stack.slack.dms_to(ALICE)[-1]["text"]
    rows = await requests_in_db(stack)
    assert rows[0].status == "reimbursed" and rows[0].amount == Decimal("750.00")
    assert rows[0].currency == "EUR" and rows[0].closed_by == MOD2


async def test_two_moderators_approving_at_once_approve_exactly_once(two_mods: Stack) -> None:
    stack = two_mods
    await make_ambassador(stack)
    await send_request(stack, ALICE, "expense", {**EXPENSE, "amount": "900"})
    review = review_messages(stack)[-1]
    await asyncio.gather(
        stack.actor.click(MOD, MOD_CHANNEL, review["ts"], "request_approve"),
        stack.actor.click(MOD2, MOD_CHANNEL, review["ts"], "request_approve"),
    )
    await stack.settle()
    assert [r.status for r in await requests_in_db(stack)] == ["approved"]
    async with stack.runtime.uow() as uow:
        count = (await uow.session.execute(select(func.count()).select_from(RequestApproval))).scalar_one()
    assert count == 2
    assert len([d for d in stack.slack.dms_to(ALICE) if "was approved by" in d["text"]]) == 1


async def test_quarterly_budget_refuses_an_approval_that_would_exceed_it(two_mods: Stack) -> None:
    stack = two_mods
    await make_ambassador(stack)
    await send_request(stack, ALICE, "hardware", {**HARDWARE, "amount": "700", "currency": "EUR"})
    await send_request(stack, ALICE, "hardware", {**HARDWARE, "amount": "400", "currency": "EUR"})
    first, second = review_messages(stack)
    await stack.actor.click(MOD, MOD_CHANNEL, first["ts"], "request_approve")
    await stack.settle()
    await stack.actor.click(MOD, MOD_CHANNEL, second["ts"], "request_approve")
    await stack.settle()
    refusal = stack.slack.responses[-1]["text"]
    assert "HW-0002" in refusal and "1,100.00 EUR" in refusal and "1,000.00 EUR" in refusal
    assert [r.status for r in await requests_in_db(stack)] == ["approved", "pending"]


async def test_swag_request_with_a_question_an_answer_and_a_rejection(stack: Stack) -> None:
    await make_ambassador(stack)
    await send_request(stack, ALICE, "swag", SWAG)
    review = review_messages(stack)[-1]
    assert "SW-0001" in review["text"] and "400" in all_text(review)

    # Ask for information: a modal for the question; the requester gets it with an Answer button.
    await stack.actor.click(MOD, MOD_CHANNEL, review["ts"], "request_ask")
    modal = await stack.wait_for_view(MOD)
    empty = await stack.actor.submit_view(MOD, modal["id"], {"note": {"note_input": "  \n "}})
    assert empty.json()["response_action"] == "errors"
    await stack.actor.submit_view(
        MOD, modal["id"], {"note": {"note_input": "Which sizes of shirts do you need?"}}
    )
    await stack.settle()
    dm = stack.slack.dms_to(ALICE)[-1]
    assert "needs more information about *SW-0001*" in dm["text"] and "Which sizes" in dm["text"]
    assert buttons(dm) == ["request_answer"]
    assert [r.status for r in await requests_in_db(stack)] == ["info_requested"]

    # Only the requester can answer.
    await stack.actor.click(BOB, dm["channel"], dm["ts"], "request_answer")
    await stack.listeners_done()
    assert "Only the person who made SW-0001" in stack.slack.responses[-1]["text"]

    await stack.actor.click(ALICE, dm["channel"], dm["ts"], "request_answer")
    modal = await stack.wait_for_view(ALICE)
    await stack.actor.submit_view(ALICE, modal["id"], {"note": {"note_input": "20 M, 20 L — شكرا"}})
    await stack.settle()
    assert "back in review" in stack.slack.dms_to(ALICE)[-1]["text"]
    review = stack.slack.find_message(MOD_CHANNEL, review["ts"]) or {}
    assert "Which sizes" in all_text(review) and "20 M, 20 L — شكرا" in all_text(review)
    assert [r.status for r in await requests_in_db(stack)] == ["pending"]

    await stack.actor.click(MOD, MOD_CHANNEL, review["ts"], "request_reject")
    modal = await stack.wait_for_view(MOD)
    await stack.actor.submit_view(MOD, modal["id"], {"note": {"note_input": "Out of shirts until May."}})
    await stack.settle()
    assert (
        "SW-0001* was not approved. Reason: Out of shirts until May." in stack.slack.dms_to(ALICE)[-1]["text"]
    )
    detail = await say(stack, ALICE, "requests SW-0001")
    assert "not approved (closed)" in detail and "Which sizes" in detail and "Out of shirts" in detail
    # A closed request has no buttons left, and a late click changes nothing.
    review = stack.slack.find_message(MOD_CHANNEL, review["ts"]) or {}
    assert buttons(review) == []
    assert [r.status for r in await requests_in_db(stack)] == ["rejected"]


async def test_receipt_as_an_uploaded_file(stack: Stack) -> None:
    await make_ambassador(stack)
    receipt = {"id": "F0RECEIPT1", "name": "taxi-receipt.pdf", "title": "taxi-receipt.pdf"}
    await send_request(
        stack, ALICE, "expense", {**EXPENSE, "receipt_url": None, "receipt_file": [receipt], "amount": "18"}
    )
    (row,) = await requests_in_db(stack)
    assert (
        row.details["receipt_file"] == "taxi-receipt.pdf" and row.details["receipt_file_id"] == "F0RECEIPT1"
    )
    assert "taxi-receipt.pdf" in all_text(review_messages(stack)[-1])


BAD_AMOUNTS = [
    ("1e3", "not an amount"),
    ("NaN", "not an amount"),
    ("Infinity", "not an amount"),
    ("12,50", "use a dot for decimals"),
    ("1,250.00", "use a dot for decimals"),
    ("-5", "more than zero"),
    ("0.00", "more than zero"),
    ("12.345", "at most 2 decimals"),
    ("€12", "not an amount"),
    ("١٢٣", "not an amount"),
    ("9" * 40, "too large"),
    ("6000", "limited to 5,000.00 EUR"),
]
BAD_CURRENCIES = [
    ("EUO", "not an ISO 4217 currency code"),
    ("€", "not a currency code"),
    ("XAU", "not an ISO"),
]


async def test_bad_amounts_and_currencies_are_refused_with_a_clear_message(two_mods: Stack) -> None:
    stack = two_mods
    await make_ambassador(stack)
    view = await open_form(stack, ALICE, "expense")
    for amount, message in BAD_AMOUNTS:
        body = await submit(stack, ALICE, view, {**EXPENSE, "amount": amount})
        assert body["response_action"] == "errors", amount
        assert message in body["errors"]["amount"], (amount, body["errors"])
    for currency, message in BAD_CURRENCIES:
        body = await submit(stack, ALICE, view, {**EXPENSE, "currency": currency})
        assert message in body["errors"]["currency"], (currency, body["errors"])
    body = await submit(stack, ALICE, view, {**EXPENSE, "amount": "1000.5", "currency": "JPY"})
    assert "JPY has no decimals" in body["errors"]["amount"]
    body = await submit(stack, ALICE, view, {**EXPENSE, "description": "x" * 2001})
    assert "under 2000 characters" in body["errors"]["description"]
    body = await submit(stack, ALICE, view, {**EXPENSE, "receipt_url": None})
    assert "receipt" in body["errors"]["receipt_url"]
    body = await submit(stack, ALICE, view, {**EXPENSE, "spent_on": (TODAY + timedelta(days=2)).isoformat()})
    assert "in the future" in body["errors"]["spent_on"]
    body = await submit(stack, ALICE, view, {**EXPENSE, "receipt_url": "javascript:alert(1)"})
    assert "web link" in body["errors"]["receipt_url"]
    # Nothing was stored or sent.
    assert await requests_in_db(stack) == []
    assert review_messages(stack) == []
    # A good one from the same form goes through, with the currency in capitals.
    body = await submit(stack, ALICE, view, {**EXPENSE, "amount": "1000", "currency": "jpy"})
    assert body["response_action"] == "update"
    (row,) = await requests_in_db(stack)
    assert row.amount == Decimal("1000") and row.currency == "JPY"


async def test_hardware_form_checks_dates_links_and_counts(stack: Stack) -> None:
    await make_ambassador(stack)
    view = await open_form(stack, ALICE, "hardware")
    body = await submit(
        stack,
        ALICE,
        view,
        {
            **HARDWARE,
            "needed_by": (TODAY - timedelta(days=1)).isoformat(),
            "link": "not a link",
            "amount": "5",
        },
    )
    assert set(body["errors"]) == {"needed_by", "link", "currency"}
    view = await open_form(stack, ALICE, "swag")
    body = await submit(stack, ALICE, view, {**SWAG, "attendees": "lots"})
    assert "whole number" in body["errors"]["attendees"]
    assert await requests_in_db(stack) == []


async def test_who_may_request_and_who_may_decide(stack: Stack) -> None:
    # Bob is not an ambassador: the form opens (the trigger is short-lived) and then says why not.
    view = await open_form(stack, BOB, "swag")
    assert "Requests are for active ambassadors" in all_text(view)
    assert "What would you like to request?" in await say(stack, BOB, "request pony")

    await make_ambassador(stack)
    await send_request(stack, ALICE, "swag", SWAG)
    review = review_messages(stack)[-1]
    for action in ("request_approve", "request_reject", "request_ask"):
        await stack.actor.click(BOB, MOD_CHANNEL, review["ts"], action)
    await stack.settle()
    refusals = [r for r in stack.slack.responses if "Only moderators" in r.get("text", "")]
    assert len(refusals) == 3
    assert (stack.slack.last_view_for(BOB) or {}).get("callback_id") != "request_note"  # no form for him
    assert [r.status for r in await requests_in_db(stack)] == ["pending"]
    assert "request.approve.refused" in await audit_actions(stack)
    # Someone else's request is not shown to Bob.
    assert "no request SW-0001 of yours" in await say(stack, BOB, "requests SW-0001")
    assert "only moderators" in (await say(stack, BOB, "requests open")).lower()
    queue = await say(stack, MOD, "requests open")
    assert "SW-0001" in queue and "<@U0ALICE>" in queue


async def test_moderators_decide_from_the_home_tab_and_requesters_see_theirs(stack: Stack) -> None:
    await make_ambassador(stack)
    await send_request(stack, ALICE, "hardware", HARDWARE)
    await stack.actor.app_home_opened(ALICE)
    await stack.listeners_done()
    home = all_text(stack.slack.home_tabs[ALICE])
    assert "Your open requests" in home and "HW-0001" in home and "waiting for review" in home

    await stack.actor.app_home_opened(MOD)
    await stack.listeners_done()
    home_view = stack.slack.home_tabs[MOD]
    assert "Requests to review" in all_text(home_view) and "request_approve" in buttons(home_view)
    await stack.actor.click(MOD, action_id="request_approve", value="1", view_id=home_view["id"])
    await stack.settle()
    assert [r.status for r in await requests_in_db(stack)] == ["approved"]
    assert "Approved HW-0001" in all_text(stack.slack.last_view_for(MOD) or {})
    # The review message in the channel follows the decision made in the tab.
    review = review_messages(stack)[-1]
    assert buttons(stack.slack.find_message(MOD_CHANNEL, review["ts"]) or {}) == ["request_close"]
    assert "request_close" in buttons(stack.slack.home_tabs[MOD])


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="needs TEST_DATABASE_URL")
async def test_migrations_create_the_request_tables_on_postgres() -> None:
    from storage import migrate
    from storage.db import make_engine

    async with pg_database(os.environ["TEST_DATABASE_URL"]) as url:
        engine = make_engine(url)
        try:
            await migrate.upgrade(engine)
            async with engine.connect() as conn:
                tables = await conn.run_sync(lambda sync: set(inspect(sync).get_table_names()))
            assert {"requests", "request_approvals", "request_notes"} <= tables
            # One head: the history ends in a single revision, the one the code expects.
            assert await migrate.current_revision(engine) == migrate.head_revision()
        finally:
            await engine.dispose()
