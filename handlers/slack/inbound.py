"""The one strict parse of every Slack payload the bot acts on, into small frozen dataclasses.

bot.server runs `parse` on the verified body before Bolt dispatches it (a payload of the wrong
shape is a 400 there) and hands the result to the listeners in Bolt's context; a listener reads
`click(context)`, `submission(context)`, `slash(context)` or `event(context)` and never digs in
the raw dict. The shapes follow Slack's reference pages for slash commands ("Implementing slash
commands": form fields), `block_actions` and `view_submission` ("Interaction payloads",
slack_sdk ``slack_sdk/models/views``) and the Events API envelope ("Events API": ``event_callback``,
``url_verification``, ``app_rate_limited``).

Values are strict too: `ident` accepts ASCII digits within 1…2**31−1 only (``"²".isdigit()`` is
True; 30 digits or 2**70 overflow the database's integers), and `slot_key` a ``YYYYMMDDTHHMMZ``
within sane years.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from handlers.slack.envelope import Malformed, check_envelope

__all__ = ["Malformed", "parse"]

# Every id the bot looks up is a 32-bit INTEGER column (storage/models.py) and Discourse's own
# ids are PostgreSQL integers too: a bigger number can only be forged, and on PostgreSQL it would
# fail in the driver rather than find nothing.
MAX_ID = 2**31 - 1
_DIGITS = re.compile(r"[0-9]{1,10}")
_SLACK_ID = re.compile(r"[A-Za-z0-9_.-]{1,64}")
_SLOT = re.compile(r"(20[0-9]{2})(0[1-9]|1[0-2])([0-3][0-9])T([01][0-9]|2[0-3])([0-5][0-9])Z")
MIN_YEAR, MAX_YEAR = 2000, 2199
MAX_VALUE = 2000  # a button's value is at most 2000 characters (Block Kit button element)
MAX_TEXT = 100_000  # Slack sends at most 3000 per input; longer text gets the form's own clear answer
MAX_URL = 2000


def ident(value: object) -> int | None:
    """A positive database id from a button value or metadata, or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 1 <= value <= MAX_ID else None
    if not isinstance(value, str) or not _DIGITS.fullmatch(value):
        return None
    number = int(value)
    return number if 1 <= number <= MAX_ID else None


def slot_key(text: str) -> datetime | None:
    """``20261203T1700Z`` as an aware UTC datetime; None if malformed or out of range."""
    match = _SLOT.fullmatch(text)
    if match is None:
        return None
    year = int(match.group(1))
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    try:
        return datetime.strptime(text, "%Y%m%dT%H%MZ").replace(tzinfo=UTC)
    except ValueError:  # 20260231T1000Z
        return None


def series_slot(value: str | None) -> tuple[int, datetime] | None:
    """A ``<series id>|<slot key>`` button value (RSVP, Book)."""
    series, sep, slot = (value or "").partition("|")
    series_id, when = ident(series), slot_key(slot)
    if not sep or series_id is None or when is None:
        return None
    return series_id, when


def _str(d: Mapping[str, Any], key: str, *, limit: int = 255, required: bool = False) -> str | None:
    value = d.get(key)
    if value is None:
        if required:
            raise Malformed(f"{key!r} is missing")
        return None
    if not isinstance(value, str) or len(value) > limit:
        raise Malformed(f"{key!r} must be a string of at most {limit} characters")
    return value


def _sid(d: Mapping[str, Any], key: str, *, required: bool = False) -> str | None:
    value = _str(d, key, limit=64, required=required)
    if value is not None and not _SLACK_ID.fullmatch(value):
        if not required and value == "":
            return None
        raise Malformed(f"{key!r} is not a Slack id")
    return value


def _obj(d: Mapping[str, Any], key: str, *, required: bool = False) -> dict[str, Any] | None:
    value = d.get(key)
    if value is None:
        if required:
            raise Malformed(f"{key!r} object is missing")
        return None
    if not isinstance(value, dict):
        raise Malformed(f"{key!r} must be an object")
    return value


def _list(d: Mapping[str, Any], key: str) -> list[Any]:
    value = d.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise Malformed(f"{key!r} must be a list")
    return value


@dataclass(frozen=True)
class User:
    id: str
    name: str = ""


def _user(payload: Mapping[str, Any]) -> User:
    user = _obj(payload, "user", required=True)
    assert user is not None
    uid = _sid(user, "id", required=True)
    assert uid is not None
    name = _str(user, "name", limit=255) or _str(user, "username", limit=255) or ""
    return User(uid, name)


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
    command = _str(fields, "command", limit=64, required=True) or ""
    if not command.startswith("/"):
        raise Malformed("'command' must start with /")
    uid = _sid(fields, "user_id", required=True) or ""
    return SlashCommand(
        command=command,
        text=_str(fields, "text", limit=MAX_TEXT) or "",
        user=User(uid, _str(fields, "user_name", limit=255) or ""),
        channel_id=_sid(fields, "channel_id") or "",
        trigger_id=_str(fields, "trigger_id", required=True) or "",
        response_url=_str(fields, "response_url", limit=MAX_URL) or "",
    )


# -- block_actions -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    action_id: str
    block_id: str | None
    value: str | None  # a button's value, or the value of the option picked in a select


def _action(raw: object) -> Action:
    if not isinstance(raw, dict):
        raise Malformed("each action must be an object")
    value = _str(raw, "value", limit=MAX_VALUE)
    option = _obj(raw, "selected_option")
    if value is None and option is not None:
        value = _str(option, "value", limit=MAX_VALUE)
    return Action(
        action_id=_str(raw, "action_id", required=True) or "",
        block_id=_str(raw, "block_id"),
        value=value,
    )


@dataclass(frozen=True)
class Click:
    """A `block_actions` payload: who clicked which element, and where (a message or a view)."""

    user: User
    action: Action
    trigger_id: str
    response_url: str | None
    channel_id: str | None
    message_ts: str | None
    view_id: str | None  # set when the click came from a view (the App Home tab, a modal)
    message_text: str = ""
    message_blocks: tuple[dict[str, Any], ...] = ()

    @property
    def in_view(self) -> bool:
        return self.view_id is not None

    @property
    def value_id(self) -> int | None:
        """The button's value as a database id (an application, nomination, booking…)."""
        return ident(self.action.value)


def _click(payload: Mapping[str, Any]) -> Click:
    actions = _list(payload, "actions")
    if not actions:
        raise Malformed("block_actions without actions")
    container = _obj(payload, "container") or {}
    channel = _obj(payload, "channel") or {}
    message = _obj(payload, "message") or {}
    view = _obj(payload, "view") or {}
    _obj(payload, "state")  # a click from a message carries state.values; its shape is checked
    state = _obj(payload, "state") or {}
    _obj(state, "values")
    blocks = _list(message, "blocks")
    if not all(isinstance(b, dict) for b in blocks):
        raise Malformed("message blocks must be objects")
    view_id: str | None = None
    if container.get("type") == "view":
        view_id = _sid(container, "view_id") or _sid(view, "id", required=True)
    return Click(
        user=_user(payload),
        action=_action(actions[0]),
        trigger_id=_str(payload, "trigger_id", required=True) or "",
        response_url=_str(payload, "response_url", limit=MAX_URL),
        channel_id=None if view_id else (_sid(channel, "id") or _sid(container, "channel_id")),
        message_ts=None
        if view_id
        else (_str(container, "message_ts", limit=32) or _str(message, "ts", limit=32)),
        view_id=view_id,
        message_text=_str(message, "text", limit=40_000) or "",
        message_blocks=tuple(blocks),
    )


# -- view_submission -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Submission:
    """A `view_submission`: the form's answers by block id, flattened (one input per block)."""

    user: User
    callback_id: str
    view_id: str
    private_metadata: str
    values: Mapping[str, str | None] = field(default_factory=dict)
    multi: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # multi-selects
    input_blocks: frozenset[str] = frozenset()
    trigger_id: str = ""
    # private_metadata when the bot stored a JSON object there: ids within range, short strings.
    metadata: Metadata = field(default_factory=lambda: Metadata({}))
    files: tuple[Mapping[str, Any], ...] = ()  # files attached in a file_input


def _element(raw: object) -> tuple[str | None, tuple[str, ...] | None]:
    """(single value, multiple values) of one input element in view.state.values."""
    if not isinstance(raw, dict):
        raise Malformed("state.values elements must be objects")
    for key in ("value", "selected_date", "selected_time", "selected_user", "selected_channel"):
        if raw.get(key) is not None:
            return _str(raw, key, limit=MAX_TEXT), None
    option = _obj(raw, "selected_option")
    if option is not None:
        return _str(option, "value", limit=MAX_VALUE), None
    for key in ("selected_users", "selected_options", "selected_channels", "selected_conversations"):
        items = _list(raw, key)
        if items:
            picked: list[str] = []
            for item in items[:100]:
                if isinstance(item, dict):
                    item = item.get("value")
                if not isinstance(item, str) or len(item) > MAX_VALUE:
                    raise Malformed(f"{key!r} must list strings")
                picked.append(item)
            return None, tuple(picked)
    return None, None


@dataclass(frozen=True)
class Metadata:
    """The JSON object the bot put in a modal's private_metadata, read back by type."""

    values: Mapping[str, int | str | None]

    def id(self, key: str) -> int | None:
        value = self.values.get(key)
        return value if isinstance(value, int) else None

    def text(self, key: str) -> str | None:
        value = self.values.get(key)
        return value if isinstance(value, str) else None


def _metadata(text: str) -> Metadata:
    """The bot's own JSON in private_metadata; a forged one with other value types is refused."""
    if not text.startswith("{"):
        return Metadata({})  # plain text (an event series key), read as such by its listener
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return Metadata({})
    if not isinstance(data, dict):
        return Metadata({})
    out: dict[str, int | str | None] = {}
    for key, value in data.items():
        if value is None or (isinstance(value, str) and len(value) <= 300):
            out[key] = value
        elif isinstance(value, int) and not isinstance(value, bool) and ident(value) is not None:
            out[key] = value
        else:
            raise Malformed(f"private_metadata {key[:40]!r} is not a value the bot stores")
    return Metadata(out)


def _submission(payload: Mapping[str, Any]) -> Submission:
    view = _obj(payload, "view", required=True)
    assert view is not None
    state = _obj(view, "state") or {}
    values_raw = _obj(state, "values") or {}
    values: dict[str, str | None] = {}
    multi: dict[str, tuple[str, ...]] = {}
    files: list[dict[str, Any]] = []
    for block_id, elements in list(values_raw.items())[:100]:
        if not isinstance(elements, dict):
            raise Malformed("state.values must map block ids to objects")
        for element in elements.values():
            if isinstance(element, dict) and element.get("files") is not None:
                attached = _list(element, "files")
                if not all(isinstance(f, dict) for f in attached):
                    raise Malformed("files must be objects")
                files.extend(attached[:10])
                continue
            single, many = _element(element)
            values[str(block_id)] = single
            if many is not None:
                multi[str(block_id)] = many
    blocks = _list(view, "blocks")
    inputs = frozenset(
        str(b.get("block_id")) for b in blocks if isinstance(b, dict) and b.get("type") == "input"
    )
    # Bolt reads view["type"] of every submission (a workflow step's needs more keys).
    if _str(view, "type", limit=40, required=True) == "workflow_step":
        raise Malformed("workflow step views are not the bot's")
    private = _str(view, "private_metadata", limit=3000) or ""
    return Submission(
        user=_user(payload),
        callback_id=_str(view, "callback_id", required=True) or "",
        view_id=_sid(view, "id") or "",
        private_metadata=private,
        metadata=_metadata(private),
        files=tuple(files),
        values=values,
        multi=multi,
        input_blocks=inputs,
        trigger_id=_str(payload, "trigger_id", required=True) or "",
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
    event = _obj(payload, "event", required=True)
    assert event is not None
    user = event.get("user")
    return Event(
        event_id=_str(payload, "event_id", limit=100) or "",
        type=_str(event, "type", limit=100, required=True) or "",
        user=user if isinstance(user, str) and _SLACK_ID.fullmatch(user) else None,
        tab=_str(event, "tab", limit=32) if isinstance(event.get("tab"), str) else None,
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
        return _click(payload)
    if kind == "view_submission":
        return _submission(payload)
    if kind == "event_callback":
        return _event(payload)
    if kind == "url_verification":
        _str(payload, "challenge", limit=200, required=True)
    if isinstance(kind, str) and kind in _ENVELOPES:
        return Envelope(kind)
    raise Malformed(f"unsupported payload type {str(kind)[:40]!r}")
