"""Payload builders for the actor: the ``actions`` entry of a ``block_actions`` click and the
``view.state.values`` of a ``view_submission``, shaped as Slack sends them.

Shapes from https://api.slack.com/reference/interaction-payloads/block-actions and
https://api.slack.com/reference/interaction-payloads/views (``state.values`` per element type,
e.g. ``selected_user`` for ``users_select``: https://api.slack.com/reference/block-kit/block-elements).
"""

from __future__ import annotations

import copy
import hashlib
import time
from collections.abc import Collection
from typing import Any

from bot.sandbox.slack.common import MULTI_SELECT_TYPES, SELECT_TYPES, JSONDict, block_elements, find_option


def build_action(
    blocks: list[JSONDict], action_id: str, value: str | None, block_id: str | None, where: str
) -> JSONDict:
    for block in blocks:
        if block_id is not None and block.get("block_id") != block_id:
            continue
        for element in block_elements(block):
            if element.get("action_id") != action_id:
                continue
            etype = str(element.get("type"))
            action: JSONDict = {
                "action_id": action_id,
                "block_id": block.get("block_id"),
            }
            if etype == "button":
                action["text"] = copy.deepcopy(element.get("text"))
                chosen = value if value is not None else element.get("value")
                if chosen is not None:
                    action["value"] = chosen
                if "style" in element:
                    action["style"] = element["style"]
                action["type"] = "button"
            elif etype in SELECT_TYPES:
                if value is None:
                    raise ValueError(f"{etype} {action_id!r} needs value= (the option to pick)")
                option = find_option(element, value)
                if option is None:
                    raise ValueError(f"{etype} {action_id!r} in {where} has no option {value!r}")
                action["selected_option"] = option
                action["type"] = etype
                if "placeholder" in element:
                    action["placeholder"] = copy.deepcopy(element["placeholder"])
            else:
                action["type"] = etype
                if value is not None:
                    action["value"] = value
            action["action_ts"] = f"{time.time():.6f}"
            return action
    raise ValueError(f"no element with action_id {action_id!r} in {where}")


def build_state(
    view: JSONDict, values: dict[str, dict[str, Any]], members: Collection[str] | None = None
) -> JSONDict:
    """``view.state.values`` for the answers; a user picker can only hold one of ``members``
    (Slack's ``users_select`` lists the workspace's members and nothing else)."""
    inputs: dict[tuple[str, str], tuple[JSONDict, bool]] = {}
    for block in view.get("blocks") or []:
        if block.get("type") != "input":
            continue
        element = block.get("element")
        if isinstance(element, dict):
            key = (str(block.get("block_id")), str(element.get("action_id")))
            inputs[key] = (element, bool(block.get("optional", False)))
    for block_id, by_action in values.items():
        for action_id in by_action:
            if (block_id, action_id) not in inputs:
                raise ValueError(f"view {view.get('id')} has no input {block_id}/{action_id}")
    state: JSONDict = {}
    for (block_id, action_id), (element, optional) in inputs.items():
        given = values.get(block_id, {})
        value = given.get(action_id) if action_id in given else None
        if (value is None or value == "" or value == []) and not optional:
            raise ValueError(f"required input {block_id}/{action_id} is empty; Slack would not submit")
        if members is not None and element.get("type") in ("users_select", "multi_users_select"):
            picked = [value] if isinstance(value, str) else list(value or [])
            strangers = [u for u in picked if u and u not in members]
            if strangers:
                raise ValueError(
                    f"{strangers} is not a member of the workspace; Slack's picker cannot send it"
                )
        state.setdefault(block_id, {})[action_id] = state_value(element, value)
    return state


def _listed(value: Any, single: type | tuple[type, ...] = str) -> list[Any]:
    """A value given as one item or as several, as a list (none for None)."""
    return [] if value is None else ([value] if isinstance(value, single) else list(value))


def _option(element: JSONDict, value: Any, external: bool) -> JSONDict:
    """The element's option with this value; an external select takes any value as typed."""
    option = find_option(element, str(value))
    if option is None and not external:
        raise ValueError(f"{element.get('type')} {element.get('action_id')!r} has no option {value!r}")
    return option or {"text": {"type": "plain_text", "text": str(value)}, "value": str(value)}


def _file(item: Any) -> JSONDict:
    """A file the person attached: a file object as given, or a bare file name made into one."""
    if isinstance(item, dict):
        return dict(item)
    digest = hashlib.sha1(str(item).encode(), usedforsecurity=False).hexdigest()[:10].upper()
    return {"id": "F" + digest, "name": str(item), "title": str(item)}


# The state key of the elements whose value is stored as given.
_PLAIN_STATE_KEYS = {
    "datepicker": "selected_date",
    "timepicker": "selected_time",
    "users_select": "selected_user",
    "conversations_select": "selected_conversation",
    "channels_select": "selected_channel",
    "datetimepicker": "selected_date_time",
}
# The state key of the multi-selects of ids (bolt-js ViewStateValue,
# https://docs.slack.dev/tools/bolt-js/reference/interfaces/ViewStateValue).
_LIST_STATE_KEYS = {
    "multi_users_select": "selected_users",
    "multi_conversations_select": "selected_conversations",
    "multi_channels_select": "selected_channels",
}


def state_value(element: JSONDict, value: Any) -> JSONDict:
    etype = str(element.get("type"))
    out: JSONDict = {"type": etype}
    if etype in SELECT_TYPES:
        empty = value is None or value == ""
        out["selected_option"] = None if empty else _option(element, value, etype == "external_select")
    elif etype in MULTI_SELECT_TYPES:
        external = etype == "multi_external_select"
        out["selected_options"] = [_option(element, item, external) for item in _listed(value)]
    elif etype in _PLAIN_STATE_KEYS:
        out[_PLAIN_STATE_KEYS[etype]] = value
    elif etype in _LIST_STATE_KEYS:
        out[_LIST_STATE_KEYS[etype]] = _listed(value)
    elif etype == "number_input":
        out["value"] = None if value is None else str(value)
    elif etype == "file_input":
        # Files the person attached: given as file objects (dicts) or as bare file names.
        out["files"] = [_file(item) for item in _listed(value, (str, dict))]
    else:  # plain_text_input, email_text_input, url_text_input, rich text stays simple
        out["value"] = value
    return out
