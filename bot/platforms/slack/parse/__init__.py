"""The one strict parse of every Slack payload the bot acts on, into small frozen dataclasses.

bot.server runs `parse` on the verified body before Bolt dispatches it (a payload of the wrong
shape is a 400 there) and hands the result to the listeners in Bolt's context; a listener reads
`click(context)`, `submission(context)`, `slash(context)` or `event(context)` and never digs in
the raw dict. The shapes follow Slack's reference pages for slash commands ("Implementing slash
commands": form fields), `block_actions` and `view_submission` ("Interaction payloads",
slack_sdk ``slack_sdk/models/views``) and the Events API envelope ("Events API": ``event_callback``,
``url_verification``, ``app_rate_limited``).

- here: slash commands, Events API callbacks, the envelopes Bolt answers itself, and `parse`;
- `interactions`: clicks (`block_actions`) and forms sent (`view_submission`);
- `fields`: the strict one-field readers, and the button values (`ident`, `series_slot`);
- `envelope`: the keys Bolt itself reads, type-checked before Bolt sees them.

This package is the one part of bot.platforms that handlers import (the typed payloads).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.platforms.slack.parse.envelope import check_envelope
from bot.platforms.slack.parse.fields import (
    MAX_ID,
    MAX_TEXT,
    MAX_URL,
    SLACK_ID,
    User,
    ident,
    obj,
    series_slot,
    sid,
    slot_key,
    str_,
)
from bot.platforms.slack.parse.interactions import Action, Click, Metadata, Submission, click, submission
from bot.platforms.strict_json import Malformed

__all__ = [
    "MAX_ID",
    "Action",
    "Click",
    "Envelope",
    "Event",
    "Inbound",
    "Malformed",
    "Metadata",
    "SlashCommand",
    "Submission",
    "User",
    "ident",
    "parse",
    "series_slot",
    "slot_key",
]

# -- slash commands ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SlashCommand:
    command: str
    text: str
    user: User
    channel_id: str
    trigger_id: str
    response_url: str


def _slash(fields: Mapping[str, Any]) -> SlashCommand:
    command = str_(fields, "command", limit=64, required=True) or ""
    if not command.startswith("/"):
        raise Malformed("'command' must start with /")
    uid = sid(fields, "user_id", required=True) or ""
    return SlashCommand(
        command=command,
        text=str_(fields, "text", limit=MAX_TEXT) or "",
        user=User(uid, str_(fields, "user_name", limit=255) or ""),
        channel_id=sid(fields, "channel_id") or "",
        trigger_id=str_(fields, "trigger_id", required=True) or "",
        response_url=str_(fields, "response_url", limit=MAX_URL) or "",
    )


# -- Events API ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    """An `event_callback` envelope: the event's type, id and the fields the listeners read."""

    event_id: str
    type: str
    user: str | None  # a user id when the event names one as a string (app_home_opened)
    tab: str | None


def _event(payload: Mapping[str, Any]) -> Event:
    event = obj(payload, "event", required=True)
    assert event is not None
    user = event.get("user")
    return Event(
        event_id=str_(payload, "event_id", limit=100) or "",
        type=str_(event, "type", limit=100, required=True) or "",
        user=user if isinstance(user, str) and SLACK_ID.fullmatch(user) else None,
        tab=str_(event, "tab", limit=32) if isinstance(event.get("tab"), str) else None,
    )


@dataclass(frozen=True)
class Envelope:
    """Payloads Bolt answers itself or the bot ignores: url_verification, view_closed, …"""

    type: str


Inbound = SlashCommand | Click | Submission | Event | Envelope

# Kinds Slack sends that the bot's app does not subscribe to are refused as the wrong shape.
_ENVELOPES = ("url_verification", "app_rate_limited", "view_closed")


def parse(payload: Mapping[str, Any]) -> Inbound:
    """The typed form of a verified payload; `Malformed` when it is not one Slack sends."""
    check_envelope(payload)
    kind = payload.get("type")
    if kind is None and "command" in payload:
        return _slash(payload)
    if kind == "block_actions":
        return click(payload)
    if kind == "view_submission":
        return submission(payload)
    if kind == "event_callback":
        return _event(payload)
    if kind == "url_verification":
        str_(payload, "challenge", limit=200, required=True)
    if isinstance(kind, str) and kind in _ENVELOPES:
        return Envelope(kind)
    raise Malformed(f"unsupported payload type {str(kind)[:40]!r}")
