"""A reviewer pressed "Ask ambassadors to resolve" on an overlapping request."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.program.errors import ProgramError
from handlers.slack.context import click, services
from handlers.slack.groups.views import ASK_AMBASSADORS
from handlers.slack.kit import STALE, action_target, tell


async def on_ask(
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
    groups = services(context).groups
    try:
        result = await groups.ask_ambassadors(target.user, target.app_id, target.channel, target.message_ts)
    except ProgramError as err:
        await tell(respond, err.message, client=client, body=body)
        return
    await tell(
        respond,
        f"Asked the ambassadors in <#{groups.conflict_channel}> to resolve the overlap of request "
        f"#{result.group_id}. It can be decided once they mark it resolved.",
        client=client,
        body=body,
    )


def register(app: AsyncApp) -> None:
    app.action(ASK_AMBASSADORS)(on_ask)
