"""A moderator pressed Reject: ask for the reason in a modal."""

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
from handlers.slack.kit import STALE, action_target, tell


async def on_reject(
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
    try:
        # Fast checks only (moderator list, one indexed read) so the trigger_id is still fresh.
        await services(context).applications.ensure_moderator(target.user, target.app_id)
    except ProgramError as err:
        await tell(respond, err.message, client=client, body=body)
        return
    await client.views_open(
        trigger_id=click(context).trigger_id,
        view=blocks.reject_modal(target.app_id, target.channel, target.message_ts),
    )


def register(app: AsyncApp) -> None:
    app.action(blocks.REJECT)(on_reject)
