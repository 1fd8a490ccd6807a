"""What every Slack listener receives through Bolt's context (set per request by bot.server)."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.async_context import AsyncBoltContext

from bot.services import Services

SERVICES_KEY = "ambassador_services"


def services(context: AsyncBoltContext | dict[str, Any]) -> Services:
    svc = context[SERVICES_KEY]
    if not isinstance(svc, Services):
        raise RuntimeError("services missing from the Bolt context")
    return svc
