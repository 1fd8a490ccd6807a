"""Someone opened the bot's Home tab: publish it fresh (status, checklist, review queue)."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from handlers.slack.context import services
from handlers.slack.home_publish import publish_home


async def on_home_opened(
    ack: AsyncAck, event: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    await ack()
    user = event.get("user")
    if event.get("tab", "home") != "home" or not isinstance(user, str) or not user:
        return  # the Messages tab: nothing to draw
    await publish_home(client, services(context), user)


def register(app: AsyncApp) -> None:
    app.event("app_home_opened")(on_home_opened)
