"""Events the bot does not (yet) act on are acknowledged, so Slack does not retry them."""

from __future__ import annotations

import re

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck


async def on_other_event(ack: AsyncAck) -> None:
    await ack()


def register(app: AsyncApp) -> None:
    app.event(re.compile(r".*"))(on_other_event)
