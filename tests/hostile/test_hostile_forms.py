"""Hostile text typed into the forms checked inside the services (event, reject reason) and into
free-text commands (nominate): each gets a clear answer, never a 5xx or a traceback."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from bot.sandbox.harness.stack import ALICE, MOD, MOD_CHANNEL, Stack

HOSTILE = [
    "Zoë 🚀 \u202egnp.exe مرحبا 日本語",
    "bell\x07 nul\x00 esc\x1b[31m tab\t",
    "A" * 40_000,
    "<@U0NOBODY> <#C0NOPE|nope> <!subteam^S0NONE>",
    "'); DROP TABLE people; -- \" OR 1=1",
    "<!channel> *bold* <https://evil.example|click me> {{7*7}} ${jndi:ldap://x}",
]

FILLERS = {
    "datepicker": "2026-12-01",
    "timepicker": "18:00",
    "number_input": "60",
    "users_select": ALICE,
    "conversations_select": MOD_CHANNEL,
    "channels_select": MOD_CHANNEL,
}


def _clear_answer(resp: httpx.Response) -> None:
    assert resp.status_code == 200, resp.text[:300]
    assert "Traceback" not in resp.text and "Exception" not in resp.text
    if resp.content:
        body: Any = resp.json()
        if isinstance(body, dict) and body.get("response_action") == "errors":
            assert body["errors"] and all(str(v).strip() for v in body["errors"].values())


def _fill(stack: Stack, view_id: str, text: str) -> dict[str, dict[str, Any]]:
    values: dict[str, dict[str, Any]] = {}
    for item in stack.actor.form_view_inputs(view_id):
        if item.element_type == "plain_text_input":
            value: Any = text
        elif item.element_type in ("static_select", "radio_buttons"):
            options = stack.actor.input_options(view_id, item.block_id)
            if not options:
                continue
            value = options[0][0]
        elif item.element_type in FILLERS:
            value = FILLERS[item.element_type]
        else:
            continue
        values[item.block_id] = {item.action_id: value}
    return values


@pytest.mark.parametrize("text", HOSTILE, ids=["unicode", "control", "40kb", "mentions", "sql", "markup"])
async def test_event_form_answers_hostile_text_clearly(stack: Stack, text: str) -> None:
    resp = await stack.actor.slash(MOD, "event add")
    assert resp.status_code == 200
    view = await stack.wait_for_view(MOD)
    _clear_answer(await stack.actor.submit_view(MOD, view["id"], _fill(stack, view["id"], text)))
    await stack.settle()
    assert not [r for r in await stack.outbox_rows() if r.status == "failed"]


@pytest.mark.parametrize("text", HOSTILE, ids=["unicode", "control", "40kb", "mentions", "sql", "markup"])
async def test_reject_reason_and_nomination_answer_hostile_text_clearly(stack: Stack, text: str) -> None:
    review = await stack.apply()
    resp = await stack.actor.click(MOD, MOD_CHANNEL, review["ts"], "application_reject")
    assert resp.status_code == 200
    view = await stack.wait_for_view(MOD)
    _clear_answer(await stack.actor.submit_view(MOD, view["id"], _fill(stack, view["id"], text)))
    nominate = await stack.actor.slash(ALICE, f"nominate <@U0NOBODY> {text}")
    assert nominate.status_code == 200 and "Traceback" not in nominate.text
    await stack.settle()
    assert not [r for r in await stack.outbox_rows() if r.status == "failed"]
    # The applicant hears the outcome once, whatever the reason said.
    assert len(stack.slack.dms_to(ALICE)) <= 1
