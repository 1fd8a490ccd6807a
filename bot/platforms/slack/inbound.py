"""Inbound Slack HTTP requests: the signature check on the raw bytes, then one strict decode.

Nothing here parses the body before the signature is verified. Slack's scheme (docs.slack.dev
"Verifying requests from Slack"): the base string is ``v0:<X-Slack-Request-Timestamp>:<raw body>``,
``X-Slack-Signature`` is ``v0=`` + hex HMAC-SHA256 of it with the signing secret, and a request
more than five minutes old is refused (slack_sdk ``slack_sdk/signature/__init__.py`` does the
same). Every problem with these headers is one short reason, never an exception.

The decode mirrors Bolt's ``slack_bolt/request/internals.py`` ``parse_body`` (JSON when the
content type is ``application/json`` or the body starts with ``{``; otherwise a form, whose
``payload`` field holds the interaction JSON), so the bot and Bolt read the same dict — but
strictly: invalid UTF-8, JSON that is not an object, nesting deeper than Slack ever sends, or a
form without the fields of a slash command is `Malformed`.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import Any
from urllib.parse import parse_qsl

from bot.platforms.strict_json import Malformed, loads

__all__ = ["Malformed", "content_type", "decode", "verify"]

MAX_SKEW = 5 * 60  # seconds; Slack's replay window
_TIMESTAMP = re.compile(r"[0-9]{1,12}")  # ASCII digits only: "²".isdigit() is True
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")


def verify(secret: str, raw: bytes, timestamp: str | None, signature: str | None, now: float) -> str | None:
    """None when the request is Slack's; otherwise the reason it is refused (for a 401)."""
    if not secret:
        return "the bot has no signing secret"
    if timestamp is None or signature is None:
        return "missing X-Slack-Request-Timestamp or X-Slack-Signature"
    if not _TIMESTAMP.fullmatch(timestamp):
        return "malformed X-Slack-Request-Timestamp"
    if abs(now - int(timestamp)) > MAX_SKEW:
        return "stale X-Slack-Request-Timestamp"
    if not _SIGNATURE.fullmatch(signature):
        return "malformed X-Slack-Signature"
    base = b"v0:" + timestamp.encode("ascii") + b":" + raw
    expected = "v0=" + hmac.new(secret.encode("utf-8"), base, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode("ascii"), signature.encode("ascii")):
        return "invalid X-Slack-Signature"
    return None


def content_type(header: str | None) -> str | None:
    """As Bolt's ``extract_content_type``: the part before ``;``."""
    return header.split(";")[0] if header else None


def decode(raw: bytes, ctype: str | None) -> tuple[str, dict[str, Any]]:
    """The verified body as (text for Bolt, dict), decided exactly as Bolt decides."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Malformed("body is not UTF-8") from None
    if not text:
        raise Malformed("empty body")
    if ctype == "application/json" or text.startswith("{"):
        data = loads(text)
        if not isinstance(data, dict):
            raise Malformed("JSON body must be an object")
        return text, data
    fields = dict(parse_qsl(text, keep_blank_values=True))
    if "payload" in fields:
        data = loads(fields["payload"])
        if not isinstance(data, dict):
            raise Malformed("payload must be a JSON object")
        return text, data
    if "command" not in fields:
        raise Malformed("form body is neither a slash command nor an interaction payload")
    if "payload" in text:
        # Bolt takes any form containing the word "payload" for an interaction and would then
        # see an empty body (`/ambassador find payload`): spell the letter p as %70 instead,
        # which reads back the same.
        text = text.replace("payload", "%70ayload")
    return text, fields
