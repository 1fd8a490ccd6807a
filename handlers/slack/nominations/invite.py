"""A moderator pressed "Invite to apply" on a nomination (review message or Home tab)."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.program.errors import ProgramError
from handlers.slack.context import click, services
from handlers.slack.home.publish import publish_home
from handlers.slack.kit import STALE, action_target, tell
from handlers.slack.nominations.views import NOMINATION_INVITE


async def on_invite(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond | None,
    context: AsyncBoltContext,
) -> None:
    await ack()
    target = action_target(click(context))
    svc = services(context)
    if target.app_id is None:
        await tell(respond, STALE, client=client, body=body)
        return
    try:
        result = await svc.nominations.invite(target.app_id, target.user, target.channel, target.message_ts)
    except ProgramError as err:
        await tell(respond, err.message, client=client, body=body)
        return
    await tell(
        respond,
        f"Invited <@{result.nominee}> to apply (nomination #{result.nomination_id}); "
        "they get a direct message.",
        client=client,
        body=body,
    )
    if target.in_view:
        await publish_home(client, svc, target.user)


def register(app: AsyncApp) -> None:
    app.action(NOMINATION_INVITE)(on_invite)
