"""The nominee pressed "Open the application form" in their invitation DM."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.program.errors import ProgramError
from handlers.slack import blocks
from handlers.slack.context import click, services
from handlers.slack.nominations.views import NOMINATION_APPLY


async def on_apply(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    await ack()
    user = click(context).user.id
    # As with `/ambassador apply`: the trigger_id expires 3 s after the click, so the form opens
    # first and is replaced by the reason if this person cannot apply right now.
    opened = await client.views_open(trigger_id=click(context).trigger_id, view=blocks.application_modal())
    try:
        await services(context).applications.can_apply(user)
    except ProgramError as err:
        await client.views_update(
            view_id=opened["view"]["id"],
            hash=opened["view"].get("hash"),
            view=blocks.notice_modal(err.message),
        )


def register(app: AsyncApp) -> None:
    app.action(NOMINATION_APPLY)(on_apply)
