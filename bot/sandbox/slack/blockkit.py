"""Block Kit validation: what Slack refuses in ``views.*`` and ``chat.*`` payloads.

Every block, element, text object, option, option group and confirm dialog is parsed with
slack_sdk's Block Kit models (``slack_sdk.models.blocks``: ``Block.parse``,
``BlockElement.parse``, ``TextObject.parse``, ``Option``, ``OptionGroup``, ``ConfirmObject``;
``slack_sdk.models.views.View``) and checked with its ``validate_json()``, one nested object at a
time (``validate_json`` of a parent does not look inside the raw dicts it keeps, e.g. the options
of a select). A key the model does not know is refused, as Slack refuses it.

On top of the models, the limits Slack documents are checked explicitly (``LIMITS``), because they
are what a user hits and slack_sdk does not check all of them:

- https://api.slack.com/reference/block-kit/blocks — 50 blocks per message, 100 per modal or Home
  tab; ``block_id`` at most 255 characters; section ``text`` 3000, ``fields`` 10 of 2000 each;
  header ``text`` 150; actions ``elements`` 25; context ``elements`` 10; input ``label``/``hint`` 2000.
- https://api.slack.com/reference/block-kit/block-elements — ``action_id`` 255; button ``text`` 75
  and ``value`` 2000; select ``options`` 100, ``placeholder`` 150.
- https://api.slack.com/reference/block-kit/composition-objects#option — option ``text`` 75,
  ``value`` 150.
- https://api.slack.com/reference/surfaces/views — modal ``title``, ``submit`` and ``close`` 24;
  ``private_metadata`` 3000; ``callback_id`` and ``external_id`` 255; ``submit`` required when
  the modal has an input block.

Refusals use Slack's format: ``{"ok": false, "error": "invalid_arguments"}`` for views (and
``invalid_blocks`` for messages) with ``response_metadata.messages`` such as
``"[ERROR] must be less than 76 characters [json-pointer:/view/blocks/1/element/options/0/text/text]"``
(the shape of the examples on https://api.slack.com/methods/views.open and
https://api.slack.com/methods/chat.postMessage, "invalid_blocks").

Each refusal is also kept in ``REFUSALS`` and, when ``SLACK_STANDIN_REFUSALS`` names a file,
appended to it as a JSON line, so a whole test run can be checked for payloads Slack would refuse.
"""

from __future__ import annotations

import copy
import json
import logging
import os
import random
from collections.abc import Callable
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.basic_objects import JsonObject
from slack_sdk.models.blocks import (
    Block,
    BlockElement,
    ConfirmObject,
    Option,
    OptionGroup,
    TextObject,
)
from slack_sdk.models.views import View

from bot.sandbox.slack.common import (
    MAX_MESSAGE_BLOCKS,
    MAX_VIEW_BLOCKS,
    ApiError,
    JSONDict,
    assign_ids,
)

__all__ = ["LIMITS", "REFUSALS", "block_problems", "initial_value", "normalize_blocks", "validate_view"]

# (object kind, object type or "*", dotted path inside the object, maximum length/count)
LIMITS: tuple[tuple[str, str, str, int], ...] = (
    ("block", "*", "block_id", 255),
    ("block", "section", "text.text", 3000),
    ("block", "section", "fields", 10),
    ("block", "header", "text.text", 150),
    ("block", "actions", "elements", 25),
    ("block", "context", "elements", 10),
    ("block", "input", "label.text", 2000),
    ("block", "input", "hint.text", 2000),
    ("element", "*", "action_id", 255),
    ("element", "button", "text.text", 75),
    ("element", "button", "value", 2000),
    ("element", "*", "placeholder.text", 150),
    ("element", "static_select", "options", 100),
    ("element", "multi_static_select", "options", 100),
    ("field", "*", "text", 2000),
    ("option", "*", "text.text", 75),
    ("option", "*", "value", 150),
    ("view", "modal", "title.text", 24),
    ("view", "modal", "submit.text", 24),
    ("view", "modal", "close.text", 24),
    ("view", "*", "private_metadata", 3000),
    ("view", "*", "callback_id", 255),
    ("view", "*", "external_id", 255),
)

REFUSALS: list[JSONDict] = []

_log = logging.getLogger("bot.sandbox.slack")

# Keys slack_sdk's models take that are not in their ``attributes`` (they build them differently).
_OPTION_KEYS = frozenset({"text", "value", "description", "url"})
_GROUP_KEYS = frozenset({"label", "options"})
_CONFIRM_KEYS = frozenset({"title", "text", "confirm", "deny", "style"})
_TEXT_KEYS = frozenset({"text", "label", "hint", "placeholder", "title", "submit", "close", "description"})
# Blocks whose ``elements`` are block elements (rich_text's are rich-text sections: not walked).
_ELEMENT_LISTS = frozenset({"actions", "context"})


def _err(message: str, pointer: str) -> str:
    return f"[ERROR] {message} [json-pointer:{pointer}]"


def _dig(obj: JSONDict, dotted: str) -> Any:
    value: Any = obj
    for part in dotted.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _limits(kind: str, obj: JSONDict, pointer: str, out: list[str]) -> None:
    otype = str(obj.get("type", ""))
    for lkind, ltype, path, most in LIMITS:
        if lkind != kind or ltype not in ("*", otype):
            continue
        value = _dig(obj, path)
        if isinstance(value, str) and len(value) > most:
            out.append(
                _err(f"must be less than {most + 1} characters", f"{pointer}/{path.replace('.', '/')}")
            )
        elif isinstance(value, list) and len(value) > most:
            out.append(_err(f"no more than {most} items allowed", f"{pointer}/{path.replace('.', '/')}"))


def _parse(kind: str, raw: JSONDict) -> tuple[JsonObject | None, frozenset[str]]:
    """The slack_sdk model of ``raw`` and the keys it takes (None: a type slack_sdk does not know)."""
    parsers: dict[str, Callable[[JSONDict], Any]] = {
        "block": Block.parse,
        "element": BlockElement.parse,
        "text": TextObject.parse,
        "field": TextObject.parse,
        "option": lambda d: Option(**d),
        "option_group": lambda d: OptionGroup(**d),
        "confirm": ConfirmObject.parse,
    }
    if kind in ("block", "element", "text", "field"):
        if not isinstance(raw.get("type"), str):
            return None, frozenset()
        # slack_sdk logs (and skips) what it does not know; check first to keep the log quiet.
        known = _known_types(kind)
        if raw["type"] not in known:
            return None, frozenset()
    model = parsers[kind](copy.deepcopy(raw))
    if not isinstance(model, JsonObject):
        return None, frozenset()
    keys = {
        "option": _OPTION_KEYS,
        "option_group": _GROUP_KEYS,
        "confirm": _CONFIRM_KEYS,
    }.get(kind, frozenset(model.attributes) | {"type"})
    return model, frozenset(keys)


def _known_types(kind: str) -> frozenset[str]:
    if kind == "block":
        return _subclass_types(Block)
    if kind == "element":
        return _subclass_types(BlockElement) | {"plain_text", "mrkdwn"}
    return frozenset({"plain_text", "mrkdwn"})


def _subclass_types(base: type) -> frozenset[str]:
    found: set[str] = set()
    stack: list[type] = list(base.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        t = getattr(cls, "type", None)
        if isinstance(t, str):
            found.add(t)
    return frozenset(found)


def _children(kind: str, raw: JSONDict) -> list[tuple[str, str, Any]]:
    """(child kind, key, value) of the nested Block Kit objects in ``raw``."""
    out: list[tuple[str, str, Any]] = []
    otype = raw.get("type")
    for key, value in raw.items():
        if key in ("accessory", "element"):
            out.append(("element", key, value))
        elif key == "elements" and kind == "block" and otype in _ELEMENT_LISTS:
            out.extend(("element", f"{key}/{i}", v) for i, v in enumerate(_as_list(value)))
        elif key == "fields" and kind == "block":
            out.extend(("field", f"{key}/{i}", v) for i, v in enumerate(_as_list(value)))
        elif key in ("options", "initial_options"):
            out.extend(("option", f"{key}/{i}", v) for i, v in enumerate(_as_list(value)))
        elif key == "initial_option":
            out.append(("option", key, value))
        elif key == "option_groups":
            out.extend(("option_group", f"{key}/{i}", v) for i, v in enumerate(_as_list(value)))
        elif key == "confirm" and kind == "element":
            out.append(("confirm", key, value))
        elif key in _TEXT_KEYS and isinstance(value, dict):
            out.append(("text", key, value))
        elif key in ("confirm", "deny") and kind == "confirm" and isinstance(value, dict):
            out.append(("text", key, value))
    return out


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _check(kind: str, raw: Any, pointer: str, out: list[str]) -> None:
    if not isinstance(raw, dict):
        out.append(_err("must provide an object", pointer))
        return
    try:
        model, keys = _parse(kind, raw)
    except (TypeError, ValueError, AttributeError, KeyError, SlackObjectFormationError) as exc:
        out.append(_err(f"invalid object: {exc}", pointer))
        return
    if model is None:
        out.append(_err(f"unsupported type: {raw.get('type')!r}", f"{pointer}/type"))
        return
    for key in sorted(set(raw) - keys):
        out.append(_err(f"unsupported field: {key}", f"{pointer}/{key}"))
    before = len(out)
    _limits(kind, raw, pointer, out)
    if len(out) == before:  # slack_sdk's message would repeat the limit already named
        try:
            model.validate_json()
        except SlackObjectFormationError as exc:
            out.append(_err(str(exc), pointer))
    for child_kind, key, value in _children(kind, raw):
        _check(child_kind, value, f"{pointer}/{key}", out)


def block_problems(blocks: list[Any], pointer: str, most: int) -> list[str]:
    """Every reason Slack would refuse ``blocks`` (at ``pointer``, with at most ``most`` blocks)."""
    out: list[str] = []
    if len(blocks) > most:
        out.append(_err(f"no more than {most} items allowed", pointer))
    seen: set[str] = set()
    for i, block in enumerate(blocks):
        _check("block", block, f"{pointer}/{i}", out)
        if isinstance(block, dict) and isinstance(block.get("block_id"), str):
            if block["block_id"] in seen:
                out.append(_err("duplicate block_id", f"{pointer}/{i}/block_id"))
            seen.add(block["block_id"])
    return out


def _refuse(error: str, messages: list[str], where: str) -> ApiError:
    record: JSONDict = {"where": where, "error": error, "messages": messages}
    REFUSALS.append(record)
    _log.warning("Slack stand-in refused %s: %s %s", where, error, messages)
    path = os.environ.get("SLACK_STANDIN_REFUSALS")
    if path:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(record) + "\n")
    return ApiError(error, response_metadata={"messages": messages})


def _modal_problems(spec: JSONDict) -> list[str]:
    """What a modal needs besides any view: a plain-text title, and a submit button when it asks
    for input."""
    problems: list[str] = []
    title = spec.get("title")
    if not isinstance(title, dict) or title.get("type") != "plain_text" or not title.get("text"):
        problems.append(_err("missing required field: title", "/view/title"))
    has_input = any(isinstance(b, dict) and b.get("type") == "input" for b in spec.get("blocks") or [])
    if has_input and spec.get("submit") is None:
        problems.append(_err("submit is required when an input block is present", "/view/submit"))
    return problems


def validate_view(spec: Any, allowed_types: set[str], where: str = "views") -> JSONDict:
    """The view ``spec`` as an object, or ``ApiError("invalid_arguments")`` with Slack's messages."""
    if isinstance(spec, str):
        try:
            spec = json.loads(spec)
        except ValueError:
            raise _refuse("invalid_arguments", ["[ERROR] view is not valid JSON"], where) from None
    if not isinstance(spec, dict):
        raise _refuse("invalid_arguments", [_err("must provide an object", "/view")], where)
    problems: list[str] = []
    vtype = spec.get("type")
    if vtype not in allowed_types:
        problems.append(_err(f"must be one of {sorted(allowed_types)}", "/view/type"))
    if vtype == "modal":
        problems.extend(_modal_problems(spec))
    blocks = spec.get("blocks")
    if not isinstance(blocks, list):
        problems.append(_err("missing required field: blocks", "/view/blocks"))
        blocks = []
    _limits("view", {k: v for k, v in spec.items() if k != "blocks"}, "/view", problems)
    for key in ("title", "submit", "close"):
        if spec.get(key) is not None:
            _check("text", spec[key], f"/view/{key}", problems)
    problems.extend(block_problems(blocks, "/view/blocks", MAX_VIEW_BLOCKS))
    if not problems:
        try:
            View(**copy.deepcopy(spec)).validate_json()
        except (SlackObjectFormationError, TypeError, ValueError) as exc:
            problems.append(_err(str(exc), "/view"))
    if problems:
        raise _refuse("invalid_arguments", problems, where)
    return spec


def normalize_blocks(raw: Any, rng: random.Random, where: str = "chat") -> list[JSONDict]:
    """A message's ``blocks`` (JSON text or a list), validated, with Slack's generated ids added."""
    if raw is None or raw == "":
        return []
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            raise _refuse("invalid_blocks_format", [], where) from None
    if not isinstance(raw, list):
        raise _refuse("invalid_blocks_format", [], where)
    problems = block_problems(raw, "/blocks", MAX_MESSAGE_BLOCKS)
    if problems:
        raise _refuse("invalid_blocks", problems, where)
    return assign_ids(copy.deepcopy(raw), rng)


# The pre-filled value of each input element, by its ``initial_*`` key
# (https://api.slack.com/reference/block-kit/block-elements: plain_text_input/number_input/
# email/url ``initial_value``, datepicker ``initial_date``, timepicker ``initial_time``,
# datetimepicker ``initial_date_time``, users_select ``initial_user``, multi_users_select
# ``initial_users``, conversations_select ``initial_conversation``, channels_select
# ``initial_channel``). Options are handled below: ``initial_option`` (static_select,
# radio_buttons) and ``initial_options`` (multi_static_select, checkboxes).
_INITIAL_KEYS = {
    "datepicker": "initial_date",
    "timepicker": "initial_time",
    "datetimepicker": "initial_date_time",
    "users_select": "initial_user",
    "multi_users_select": "initial_users",
    "conversations_select": "initial_conversation",
    "multi_conversations_select": "initial_conversations",
    "channels_select": "initial_channel",
    "multi_channels_select": "initial_channels",
}


def initial_value(element: JSONDict) -> Any:
    """What an input holds before the person touches it, as the value a submission carries in
    ``view.state.values`` (an option by its ``value``, options as a list of values, a user id …);
    None when nothing is pre-filled. Slack's client shows it and submits it unless the person
    changes it (https://api.slack.com/reference/interaction-payloads/views#view_submission)."""
    etype = str(element.get("type"))
    if isinstance(element.get("initial_option"), dict):
        return element["initial_option"].get("value")
    if isinstance(element.get("initial_options"), list):
        return [o.get("value") for o in element["initial_options"] if isinstance(o, dict)]
    if etype in _INITIAL_KEYS:
        return element.get(_INITIAL_KEYS[etype])
    return element.get("initial_value")
