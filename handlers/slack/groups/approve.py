"""A reviewer pressed Approve on a user group request: choose the mentor in a modal."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.program.errors import ProgramError
from handlers.slack import blocks
from handlers.slack.context import click, services
from handlers.slack.groups.views import APPROVE, approve_modal, loading
from handlers.slack.kit import STALE, action_target, tell


async def on_approve(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond | None,
    context: AsyncBoltContext,
) -> None:
    await ack()
    target = action_target(click(context))
    if target.app_id is None:
        await tell(respond, STALE, client=client, body=body)
        return
    # The trigger_id dies 3 s after the click: open the modal first, then look up the mentors
    # (and the checks) and fill it in, or replace it with the reason it can't be approved.
    opened = await client.views_open(trigger_id=click(context).trigger_id, view=loading("Approve user group"))
    view_id, view_hash = opened["view"]["id"], opened["view"].get("hash")
    try:
        form = await services(context).groups.approval_form(target.user, target.app_id)
    except ProgramError as err:
        await client.views_update(view_id=view_id, hash=view_hash, view=blocks.notice_modal(err.message))
        return
    await client.views_update(
        view_id=view_id, hash=view_hash, view=approve_modal(form, target.channel, target.message_ts)
    )


def register(app: AsyncApp) -> None:
    app.action(APPROVE)(on_approve)
