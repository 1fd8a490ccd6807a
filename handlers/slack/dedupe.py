"""Global middleware: Slack retries an Events API delivery it thinks was lost (up to 3 times),
with the same event_id; the retry is acknowledged and dropped."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.response import BoltResponse

from handlers.slack.context import services


async def dedupe_events(
    body: dict[str, Any], context: AsyncBoltContext, next: Callable[[], Awaitable[BoltResponse]]
) -> BoltResponse | None:
    event_id = body.get("event_id") if body.get("type") == "event_callback" else None
    if isinstance(event_id, str) and event_id:
        if not await services(context).inbound.first_time("slack", event_id):
            return BoltResponse(status=200, body="")
    return await next()


def register(app: AsyncApp) -> None:
    app.middleware(dedupe_events)
