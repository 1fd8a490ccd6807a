"""Reject / Ask for information (moderators) or Answer (the requester): open the text form."""

from __future__ import annotations

import re

from slack_bolt.async_app import AsyncApp

from bot.platforms.slack.parse import Click
from handlers.slack import kit
from handlers.slack.requests.views import ANSWER, ASK, REJECT, note_modal

OPS = {REJECT: "reject", ASK: "ask", ANSWER: "answer"}


def _carried(pressed: Click) -> tuple[int, str] | None:
    """The request id and what the button asks for (reject, ask or answer)."""
    op = OPS.get(str(pressed.action.action_id))
    if pressed.value_id is None or op is None:
        return None
    return pressed.value_id, op


async def _open(p: kit.Press[tuple[int, str]]) -> None:
    request_id, op = p.id
    requests = p.services.requests
    # Fast checks only (the moderator list, one indexed read) so the trigger_id is still fresh.
    if op == "answer":
        view = await requests.ensure_can_answer(p.target.user, request_id)
    else:
        view = await requests.ensure_can_decide(p.target.user, request_id, op)
    await p.client.views_open(
        trigger_id=p.click.trigger_id,
        view=note_modal(op, view.reference, view.id, p.target.channel, p.target.message_ts),
    )


on_note_button = kit.on_button(_open, lambda _result, _p: None, carried=_carried, home=False)


def register(app: AsyncApp) -> None:
    app.action(re.compile(f"^({REJECT}|{ASK}|{ANSWER})$"))(on_note_button)
