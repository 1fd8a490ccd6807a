"""Pull the common bits out of a block_actions payload."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


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
