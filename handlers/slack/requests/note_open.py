"""Reject / Ask for information (moderators) or Answer (the requester): open the text form."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.program.errors import ProgramError
from handlers.slack.context import click, services
from handlers.slack.kit import STALE, action_target, tell
from handlers.slack.requests.views import ANSWER, ASK, REJECT, note_modal

OPS = {REJECT: "reject", ASK: "ask", ANSWER: "answer"}


async def on_note_button(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond | None,
    context: AsyncBoltContext,
) -> None:
    await ack()
    target = action_target(click(context))
    op = OPS.get(str(click(context).action.action_id))
    if target.app_id is None or op is None:
        await tell(respond, STALE, client=client, body=body)
        return
    requests = services(context).requests
    try:
        # Fast checks only (the moderator list, one indexed read) so the trigger_id is still fresh.
        if op == "answer":
            view = await requests.ensure_can_answer(target.user, target.app_id)
        else:
            view = await requests.ensure_can_decide(target.user, target.app_id, op)
    except ProgramError as err:
        await tell(respond, err.message, client=client, body=body)
        return
    await client.views_open(
        trigger_id=click(context).trigger_id,
        view=note_modal(op, view.reference, view.id, target.channel, target.message_ts),
    )


def register(app: AsyncApp) -> None:
    app.action(re.compile(f"^({REJECT}|{ASK}|{ANSWER})$"))(on_note_button)
