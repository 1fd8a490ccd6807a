"""Inbound Discourse webhooks: the signature on the raw bytes, then one strict decode.

Discourse signs each delivery with ``X-Discourse-Event-Signature: sha256=<hex HMAC-SHA256 of the
raw body, keyed with the webhook's secret>`` (discourse/discourse
``app/jobs/regular/emit_web_hook_event.rb``; checked by bot.discourse.signature_ok) and names
the event in ``X-Discourse-Event`` / ``X-Discourse-Event-Type``: lower-case words joined by
``_``, e.g. ``user_badge_granted``. The body is one JSON object ``{"<type>": {...}}``.
"""

from __future__ import annotations

import re
from typing import Any

from bot.platforms.strict_json import Malformed, loads

__all__ = ["Malformed", "decode", "event_name"]

_EVENT = re.compile(r"[a-z][a-z_]{0,63}")


def event_name(header: str | None) -> str:
    """An event header's value ("" when absent); `Malformed` unless lower-case words."""
    if not header:
        return ""
    if not _EVENT.fullmatch(header):
        raise Malformed("malformed X-Discourse-Event header")
    return header


def decode(raw: bytes) -> dict[str, Any]:
    data = loads(raw)
    if not isinstance(data, dict):
        raise Malformed("body must be a JSON object")
    return data
