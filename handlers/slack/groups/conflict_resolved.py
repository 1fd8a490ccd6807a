"""An ambassador (or moderator) pressed "Mark resolved" on an overlap."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.program.errors import ProgramError
from handlers.slack.context import click, services
from handlers.slack.groups.views import RESOLVED
from handlers.slack.kit import STALE, action_target, tell


async def on_resolved(
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
        result = await services(context).groups.resolve_conflict(
            target.user, target.app_id, target.channel, target.message_ts
        )
    except ProgramError as err:
        await tell(respond, err.message, client=client, body=body)
        return
    await tell(
        respond,
        f"Marked the overlap of request #{result.group_id} resolved; the reviewers can decide it now.",
        client=client,
        body=body,
    )


def register(app: AsyncApp) -> None:
    app.action(RESOLVED)(on_resolved)
