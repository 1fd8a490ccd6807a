"""Discourse webhook handlers, routed by the X-Discourse-Event header."""

from __future__ import annotations

from typing import Any


async def handle_webhook(event: str, event_type: str, payload: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """Return (HTTP status, JSON answer). Events the bot does not use are acknowledged and ignored."""
    if event == "ping" or event_type == "ping":
        return 200, {"ok": True, "event": "ping"}
    if event_type and event_type not in payload:
        return 400, {"error": f"body has no {event_type!r} object"}
    return 200, {"ok": True, "ignored": event or event_type or "unknown"}
