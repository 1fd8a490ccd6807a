"""A moderator marked an approved request shipped or reimbursed: the request is closed."""

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
from handlers.slack.requests.views import CLOSE


async def on_close(
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
        decision = await svc.requests.close(target.app_id, target.user, target.channel, target.message_ts)
    except ProgramError as err:
        await tell(respond, err.message, client=client, body=body)
        return
    r = decision.request
    await tell(
        respond,
        f"{r.reference} is marked {decision.change} and closed; <@{r.requester}> has been told.",
        client=client,
        body=body,
    )
    if target.in_view:
        await publish_home(client, svc, target.user)


def register(app: AsyncApp) -> None:
    app.action(CLOSE)(on_close)
