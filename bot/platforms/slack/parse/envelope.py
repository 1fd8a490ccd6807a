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


def _list_of_objects(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, dict) for v in value)


# What each group of keys must hold when present (and not null), and the message when it does not.
_LEVEL_RULES: tuple[tuple[tuple[str, ...], Any, str], ...] = (
    (_ID_KEYS, lambda v: isinstance(v, (str, dict)), "must be an id or an object"),
    (_OBJ_KEYS, lambda v: isinstance(v, dict), "must be an object"),
    (_LIST_KEYS, _list_of_objects, "must be a list of objects"),
    (_STR_KEYS, lambda v: isinstance(v, str), "must be a string"),
)


def _check_level(d: Mapping[str, Any]) -> None:
    for keys, fits, problem in _LEVEL_RULES:
        for key in keys:
            if d.get(key) is not None and not fits(d[key]):
                raise Malformed(f"{key!r} {problem}")


def check_envelope(payload: Mapping[str, Any]) -> None:
    """`Malformed` unless the keys Bolt reads have the types Slack sends."""
    for key in _NOT_NULL:
        if key in payload and not isinstance(payload[key], dict):
            raise Malformed(f"{key!r} must be an object")
    todo: list[tuple[Mapping[str, Any], int]] = [(payload, 0)]
    while todo:
        d, depth = todo.pop()
        _check_level(d)
        if depth < 3:
            todo.extend((d[k], depth + 1) for k in _DESCEND if isinstance(d.get(k), dict))
            for key in ("authorizations", "response_urls", "actions"):
                todo.extend((v, depth + 1) for v in (d.get(key) or [])[:1])
