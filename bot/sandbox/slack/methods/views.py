"""views.* methods: open, push, update and publish modals and the App Home (each method
cites its page on https://api.slack.com/methods)."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING

from bot.sandbox.slack.common import MAX_VIEW_STACK, ApiError, JSONDict, invalid_arguments

if TYPE_CHECKING:
    from bot.sandbox.slack.standin import SlackStandIn


def _required(params: JSONDict, name: str) -> str:
    """A required string argument; Slack names the one that is missing."""
    value = params.get(name)
    if not value:
        raise invalid_arguments([f"[ERROR] missing required field: {name}"])
    return str(value)


def _require_view(params: JSONDict) -> None:
    """The ``view`` argument (a JSON string or an object) is required by these views.* methods."""
    if params.get("view") in (None, ""):
        raise invalid_arguments(["[ERROR] missing required field: view"])


def views_open(s: SlackStandIn, params: JSONDict) -> JSONDict:
    """https://api.slack.com/methods/views.open"""
    trigger_id = _required(params, "trigger_id")
    _require_view(params)
    trigger = s._check_trigger(trigger_id)
    parsed = s._validate_view(params.get("view"), {"modal"})
    trigger.used = True
    view = s._open_modal(trigger.user_id, parsed)
    return {"ok": True, "view": copy.deepcopy(view)}


def views_push(s: SlackStandIn, params: JSONDict) -> JSONDict:
    """https://api.slack.com/methods/views.push"""
    trigger_id = params.get("trigger_id")
    if not trigger_id or params.get("view") in (None, ""):
        raise invalid_arguments(["[ERROR] missing required field"])
    trigger = s._check_trigger(str(trigger_id))
    s._validate_view(params.get("view"), {"modal"})
    if len(s.modal_stacks.get(trigger.user_id, [])) >= MAX_VIEW_STACK:
        raise ApiError("push_limit_reached")
    trigger.used = True
    view = s.apply_view_push(trigger.user_id, params.get("view"))
    return {"ok": True, "view": copy.deepcopy(view)}


def views_update(s: SlackStandIn, params: JSONDict) -> JSONDict:
    """https://api.slack.com/methods/views.update"""
    view_id = params.get("view_id")
    external_id = params.get("external_id")
    if not view_id and not external_id:
        raise ApiError(
            "invalid_arguments",
            response_metadata={"messages": ["[ERROR] either view_id or external_id is required"]},
        )
    _require_view(params)
    target: str | None = None
    if view_id:
        target = str(view_id) if str(view_id) in s.views else None
    else:
        for vid, view in s.views.items():
            if view.get("external_id") == external_id:
                target = vid
                break
    if target is None:
        raise ApiError("not_found")
    expected_hash = params.get("hash")
    if expected_hash and expected_hash != s.views[target].get("hash"):
        raise ApiError("hash_conflict")
    view = s.apply_view_update(target, params.get("view"))
    return {"ok": True, "view": copy.deepcopy(view)}


def views_publish(s: SlackStandIn, params: JSONDict) -> JSONDict:
    """https://api.slack.com/methods/views.publish"""
    user_id = _required(params, "user_id")
    _require_view(params)
    if user_id not in s.users:
        raise ApiError("user_not_found")
    parsed = s._validate_view(params.get("view"), {"home"})
    existing = s.home_tabs.get(user_id)
    expected_hash = params.get("hash")
    if existing is not None and expected_hash and expected_hash != existing.get("hash"):
        raise ApiError("hash_conflict")
    view_id = existing["id"] if existing is not None else s._new_view_id()
    view = s._build_view(parsed, view_id=view_id, root_view_id=view_id, previous_view_id=None)
    s.home_tabs[user_id] = view
    s.views[view_id] = view
    s.view_owners[view_id] = user_id
    return {"ok": True, "view": copy.deepcopy(view)}
