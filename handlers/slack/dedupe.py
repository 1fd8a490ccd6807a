"""Global middleware: Slack retries an Events API delivery it thinks was lost (up to 3 times),
with the same event_id; the retry is acknowledged and dropped."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.response import BoltResponse

from bot.platforms.slack.parse import Event
from handlers.slack.context import INBOUND_KEY, services


async def dedupe_events(
    context: AsyncBoltContext, next: Callable[[], Awaitable[BoltResponse]]
) -> BoltResponse | None:
    parsed = context.get(INBOUND_KEY)
    event_id = parsed.event_id if isinstance(parsed, Event) else None
    if event_id:
        if not await services(context).inbound.first_time("slack", event_id):
            return BoltResponse(status=200, body="")
    return await next()


def register(app: AsyncApp) -> None:
    app.middleware(dedupe_events)
