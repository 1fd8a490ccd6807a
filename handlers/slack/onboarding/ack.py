"""The welcome DM's "I have read the guidelines" button."""

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
from handlers.slack.home.publish import publish_home
from handlers.slack.kit import action_target, tell


async def on_ack(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond | None,
    context: AsyncBoltContext,
) -> None:
    await ack()
    pressed = click(context)
    user = pressed.user.id
    try:
        result = await services(context).onboarding.complete_by_button(user, pressed.action.value or "")
    except ProgramError as err:
        await tell(respond, err.message, client=client, body=body)
        return
    text = (
        f"Thanks! “{result.title}” is done. {result.remaining} onboarding step(s) to go."
        if result.newly_completed
        else f"“{result.title}” was already done."
    )
    await tell(respond, text, client=client, body=body)
    if action_target(click(context)).in_view:
        await publish_home(client, services(context), user)


def register(app: AsyncApp) -> None:
    app.action(blocks.ACK_GUIDELINES)(on_ack)
