"""Publish someone's App Home tab now (on app_home_opened, and after a click in the tab)."""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient

from bot.program.messages import encode
from bot.services import Services
from handlers.slack.blocks import render_view
from handlers.slack.home import views as views_home


async def publish_home(client: AsyncWebClient, services: Services, user: str) -> None:
    home = await services.home.snapshot(user)
    await client.views_publish(user_id=user, view=render_view(views_home.TEMPLATE, encode(home)))
