"""Inbound Discourse webhooks: the signature on the raw bytes, then one strict decode.

Discourse signs each delivery with ``X-Discourse-Event-Signature: sha256=<hex HMAC-SHA256 of the
raw body, keyed with the webhook's secret>`` (discourse/discourse
``app/jobs/regular/emit_web_hook_event.rb``; checked here by `signature_ok`) and names
the event in ``X-Discourse-Event`` / ``X-Discourse-Event-Type``: lower-case words joined by
``_``, e.g. ``user_badge_granted``. The body is one JSON object ``{"<type>": {...}}``.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import Any

from bot.platforms.strict_json import Malformed, loads

__all__ = ["Malformed", "decode", "event_name", "sign", "signature_ok"]

_EVENT = re.compile(r"[a-z][a-z_]{0,63}")


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_ok(secret: str, body: bytes, header: str | None) -> bool:
    """Whether `header` is Discourse's signature of the raw `body`. No secret, no header, or a
    header with anything but ASCII in it (compare_digest refuses non-ASCII str) is a plain no."""
    if not secret or not header:
        return False
    try:
        given = header.strip().encode("ascii")
    except UnicodeEncodeError:
        return False
    return hmac.compare_digest(sign(secret, body).encode("ascii"), given)


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
