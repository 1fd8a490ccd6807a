"""A reviewer pressed Reject or Needs changes: ask for the reason (or what to fix) in a modal."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.program.errors import ProgramError
from handlers.slack import blocks
from handlers.slack.context import click, services
from handlers.slack.groups.views import CHANGES, REJECT, loading, reason_modal
from handlers.slack.kit import STALE, action_target, tell


async def on_reason(
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
    mode = "reject" if click(context).action.action_id == REJECT else "changes"
    svc = services(context)
    # Open first (the trigger_id expires in 3 s); the prefilled text needs the request.
    opened = await client.views_open(
        trigger_id=click(context).trigger_id,
        view=loading("Reject user group" if mode == "reject" else "Ask for changes"),
    )
    view_id, view_hash = opened["view"]["id"], opened["view"].get("hash")
    try:
        title, text = await svc.groups.reason_form(target.user, target.app_id, mode)
    except ProgramError as err:
        await client.views_update(view_id=view_id, hash=view_hash, view=blocks.notice_modal(err.message))
        return
    view = reason_modal(
        mode,
        target.app_id,
        title,
        text,
        svc.settings.groups.what_is_a_user_group_url,
        target.channel,
        target.message_ts,
    )
    await client.views_update(view_id=view_id, hash=view_hash, view=view)


def register(app: AsyncApp) -> None:
    app.action(re.compile(f"^({REJECT}|{CHANGES})$"))(on_reason)
