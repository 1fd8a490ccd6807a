"""Pull the common bits out of a block_actions payload."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_bolt.context.respond.async_respond import AsyncRespond


@dataclass(frozen=True)
class ActionTarget:
    user: str
    app_id: int | None
    channel: str | None
    message_ts: str | None


def action_target(body: dict[str, Any], action: dict[str, Any]) -> ActionTarget:
    value = str(action.get("value") or "")
    app_id = int(value) if value.isdigit() and len(value) < 12 else None
    container = body.get("container") or {}
    channel = (body.get("channel") or {}).get("id") or container.get("channel_id")
    ts = container.get("message_ts") or (body.get("message") or {}).get("ts")
    return ActionTarget(str((body.get("user") or {}).get("id", "")), app_id, channel, ts)


STALE = "That button is out of date; nothing was changed."


async def tell(respond: AsyncRespond, text: str) -> None:
    """A private answer to whoever pressed the button; the message itself stays as it is."""
    await respond(text=text, response_type="ephemeral", replace_original=False)
