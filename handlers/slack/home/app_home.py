"""Someone opened the bot's Home tab: publish it fresh (status, checklist, review queue)."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from handlers.slack.context import event, services
from handlers.slack.home.publish import publish_home


async def on_home_opened(ack: AsyncAck, client: AsyncWebClient, context: AsyncBoltContext) -> None:
    await ack()
    opened = event(context)
    user = opened.user
    if (opened.tab or "home") != "home" or not user:
        return  # the Messages tab: nothing to draw
    await publish_home(client, services(context), user)


def register(app: AsyncApp) -> None:
    app.event("app_home_opened")(on_home_opened)
