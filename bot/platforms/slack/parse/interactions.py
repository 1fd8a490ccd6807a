"""Interactions: a click (`block_actions`) and a form sent (`view_submission`), parsed strictly.

The shapes follow Slack's "Interaction payloads" reference and slack_sdk ``slack_sdk/models/views``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.platforms.slack.parse.fields import (
    MAX_TEXT,
    MAX_URL,
    MAX_VALUE,
    User,
    ident,
    list_,
    obj,
    sid,
    str_,
    user,
)
from bot.platforms.strict_json import Malformed

__all__ = ["Action", "Click", "Metadata", "Submission", "click", "submission"]

# -- block_actions -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    action_id: str
    block_id: str | None
    value: str | None  # a button's value, or the value of the option picked in a select


def _action(raw: object) -> Action:
    if not isinstance(raw, dict):
        raise Malformed("each action must be an object")
    value = str_(raw, "value", limit=MAX_VALUE)
    option = obj(raw, "selected_option")
    if value is None and option is not None:
        value = str_(option, "value", limit=MAX_VALUE)
    return Action(
        action_id=str_(raw, "action_id", required=True) or "",
        block_id=str_(raw, "block_id"),
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


def click(payload: Mapping[str, Any]) -> Click:
    actions = list_(payload, "actions")
    if not actions:
        raise Malformed("block_actions without actions")
    container = obj(payload, "container") or {}
    channel = obj(payload, "channel") or {}
    message = obj(payload, "message") or {}
    view = obj(payload, "view") or {}
    obj(payload, "state")  # a click from a message carries state.values; its shape is checked
    state = obj(payload, "state") or {}
    obj(state, "values")
    blocks = list_(message, "blocks")
    if not all(isinstance(b, dict) for b in blocks):
        raise Malformed("message blocks must be objects")
    view_id: str | None = None
    if container.get("type") == "view":
        view_id = sid(container, "view_id") or sid(view, "id", required=True)
    return Click(
        user=user(payload),
        action=_action(actions[0]),
        trigger_id=str_(payload, "trigger_id", required=True) or "",
        response_url=str_(payload, "response_url", limit=MAX_URL),
        channel_id=None if view_id else (sid(channel, "id") or sid(container, "channel_id")),
        message_ts=None
        if view_id
        else (str_(container, "message_ts", limit=32) or str_(message, "ts", limit=32)),
        view_id=view_id,
        message_text=str_(message, "text", limit=40_000) or "",
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
            return str_(raw, key, limit=MAX_TEXT), None
    option = obj(raw, "selected_option")
    if option is not None:
        return str_(option, "value", limit=MAX_VALUE), None
    for key in ("selected_users", "selected_options", "selected_channels", "selected_conversations"):
        items = list_(raw, key)
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


def submission(payload: Mapping[str, Any]) -> Submission:
    view = obj(payload, "view", required=True)
    assert view is not None
    state = obj(view, "state") or {}
    values_raw = obj(state, "values") or {}
    values: dict[str, str | None] = {}
    multi: dict[str, tuple[str, ...]] = {}
    files: list[dict[str, Any]] = []
    for block_id, elements in list(values_raw.items())[:100]:
        if not isinstance(elements, dict):
            raise Malformed("state.values must map block ids to objects")
        for element in elements.values():
            if isinstance(element, dict) and element.get("files") is not None:
                attached = list_(element, "files")
                if not all(isinstance(f, dict) for f in attached):
                    raise Malformed("files must be objects")
                files.extend(attached[:10])
                continue
            single, many = _element(element)
            values[str(block_id)] = single
            if many is not None:
                multi[str(block_id)] = many
    blocks = list_(view, "blocks")
    inputs = frozenset(
        str(b.get("block_id")) for b in blocks if isinstance(b, dict) and b.get("type") == "input"
    )
    # Bolt reads view["type"] of every submission (a workflow step's needs more keys).
    if str_(view, "type", limit=40, required=True) == "workflow_step":
        raise Malformed("workflow step views are not the bot's")
    private = str_(view, "private_metadata", limit=3000) or ""
    return Submission(
        user=user(payload),
        callback_id=str_(view, "callback_id", required=True) or "",
        view_id=sid(view, "id") or "",
        private_metadata=private,
        metadata=_metadata(private),
        files=tuple(files),
        values=values,
        multi=multi,
        input_blocks=inputs,
        trigger_id=str_(payload, "trigger_id", required=True) or "",
    )
