"""What every Slack listener receives through Bolt's context (set per request by bot.server):
the services, and the strictly parsed payload (bot.platforms.slack.parse)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.response import BoltResponse

from bot.platforms.slack.parse import Click, Event, Malformed, SlashCommand, Submission, parse
from bot.services import Services

SERVICES_KEY = "ambassador_services"
INBOUND_KEY = "ambassador_inbound"

T = TypeVar("T")


def services(context: AsyncBoltContext | dict[str, Any]) -> Services:
    svc = context[SERVICES_KEY]
    if not isinstance(svc, Services):
        raise RuntimeError("services missing from the Bolt context")
    return svc


def _parsed(context: AsyncBoltContext | dict[str, Any], kind: type[T]) -> T:
    parsed = context.get(INBOUND_KEY)
    if not isinstance(parsed, kind):
        raise RuntimeError(f"no parsed {kind.__name__} in the Bolt context")
    return parsed


def click(context: AsyncBoltContext | dict[str, Any]) -> Click:
    return _parsed(context, Click)


def submission(context: AsyncBoltContext | dict[str, Any]) -> Submission:
    return _parsed(context, Submission)


def slash(context: AsyncBoltContext | dict[str, Any]) -> SlashCommand:
    return _parsed(context, SlashCommand)


def event(context: AsyncBoltContext | dict[str, Any]) -> Event:
    return _parsed(context, Event)


async def strict_payload(
    body: dict[str, Any], context: AsyncBoltContext, next: Callable[[], Awaitable[BoltResponse]]
) -> BoltResponse | None:
    """Global middleware for a request that did not come through bot.server (which parses
    before dispatching): parse it here, and refuse a wrong shape before any listener runs."""
    if INBOUND_KEY not in context:
        try:
            context[INBOUND_KEY] = parse(body)
        except Malformed as err:
            return BoltResponse(status=400, body={"error": str(err)})
    return await next()
