"""The envelope of a Slack payload as Bolt reads it, checked before Bolt sees it.

Bolt routes a request and builds its context from a handful of keys (slack_bolt
``request/internals.py`` ``build_context``, ``request/payload_utils.py``, the
``ignoring_self_events`` middleware), indexing them without checking their types: an int where it
expects a dict, or a null where it calls ``.get``, is an exception inside Bolt. `check_envelope`
refuses such payloads as `Malformed` (a 400) first.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.platforms.strict_json import Malformed

__all__ = ["Malformed", "check_envelope"]


# Keys Bolt itself reads while routing and building its context (slack_bolt
# ``request/internals.py`` ``build_context``, ``request/payload_utils.py``): the types Slack
# sends, checked on the envelope and the objects Bolt descends into, so Bolt never meets an
# int where it expects a dict.
_ID_KEYS = ("user", "channel", "team", "enterprise")  # a string or an object
_OBJ_KEYS: tuple[str, ...] = (
    "event",
    "message",
    "previous_message",
    "item",
    "assistant_thread",
    "function_data",
)
_OBJ_KEYS += ("view", "container", "state", "workflow_step")
_LIST_KEYS = ("authorizations", "response_urls", "actions")
_STR_KEYS: tuple[str, ...] = ("type", "subtype", "thread_ts", "team_id", "user_id", "channel_id")
_STR_KEYS += ("enterprise_id",)
_STR_KEYS += ("function_execution_id", "bot_access_token", "channel_type", "bot_id", "callback_id")
_STR_KEYS += ("user_team", "response_url", "trigger_id", "event_id", "tab", "action_id")
_DESCEND = ("event", "message", "previous_message", "item", "assistant_thread", "user", "view")


# Bolt reads these from the payload as ``body.get(key, {}).get(…)``: present, they must be objects.
_NOT_NULL = ("event", "view", "context", "function")


def check_envelope(payload: Mapping[str, Any]) -> None:
    """`Malformed` unless the keys Bolt reads have the types Slack sends."""
    for key in _NOT_NULL:
        if key in payload and not isinstance(payload[key], dict):
            raise Malformed(f"{key!r} must be an object")
    todo: list[tuple[Mapping[str, Any], int]] = [(payload, 0)]
    while todo:
        d, depth = todo.pop()
        for key in _ID_KEYS:
            if d.get(key) is not None and not isinstance(d[key], (str, dict)):
                raise Malformed(f"{key!r} must be an id or an object")
        for key in _OBJ_KEYS:
            if d.get(key) is not None and not isinstance(d[key], dict):
                raise Malformed(f"{key!r} must be an object")
        for key in _LIST_KEYS:
            value = d.get(key)
            if value is not None and (
                not isinstance(value, list) or not all(isinstance(v, dict) for v in value)
            ):
                raise Malformed(f"{key!r} must be a list of objects")
        for key in _STR_KEYS:
            if d.get(key) is not None and not isinstance(d[key], str):
                raise Malformed(f"{key!r} must be a string")
        if depth < 3:
            todo.extend((d[k], depth + 1) for k in _DESCEND if isinstance(d.get(k), dict))
            for key in ("authorizations", "response_urls", "actions"):
                todo.extend((v, depth + 1) for v in (d.get(key) or [])[:1])
