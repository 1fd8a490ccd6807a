"""The Renew button in a renewal reminder opens the renewal form."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from handlers.slack.context import click
from handlers.slack.events import views as views_events


async def on_renew(ack: AsyncAck, client: AsyncWebClient, context: AsyncBoltContext) -> None:
    await ack()
    await client.views_open(trigger_id=click(context).trigger_id, view=views_events.renewal_modal())


def register(app: AsyncApp) -> None:
    app.action(views_events.RENEW)(on_renew)
