"""Modals and the App Home as Slack keeps them: open, push (at most 3), update, close, publish.

Derived from https://api.slack.com/surfaces/modals (the view stack, ``response_action``),
https://api.slack.com/reference/surfaces/views (the view object Slack returns: ``id``, ``hash``,
``root_view_id``, ``previous_view_id``, ``state``) and https://api.slack.com/methods/views.update
(``hash_conflict``, ``not_found``), https://api.slack.com/methods/views.open (``duplicate_external_id``).
"""

from __future__ import annotations

import copy
import random
import string
import time
from typing import Any

from bot.sandbox.slack import blockkit
from bot.sandbox.slack.common import MAX_VIEW_STACK, ApiError, JSONDict, assign_ids

__all__ = ["ViewSurfaces"]


class ViewSurfaces:
    """The view half of ``SlackStandIn`` (a mixin: the stand-in holds the state)."""

    team_id: str
    app_id: str
    bot_id: str
    views: dict[str, JSONDict]
    view_owners: dict[str, str]
    modal_stacks: dict[str, list[str]]
    home_tabs: dict[str, JSONDict]
    closed_views: dict[str, JSONDict]
    _rng: random.Random
    _view_seq: int
    _last_view: dict[str, str]

    def remove_view(self, view_id: str) -> None:
        """Close one view (what Slack does after an empty ``view_submission`` ack)."""
        view = self.views.pop(view_id, None)
        if view is None:
            return
        self.closed_views[view_id] = view
        owner = self.view_owners.get(view_id)
        if owner is not None:
            stack = self.modal_stacks.get(owner, [])
            if view_id in stack:
                stack.remove(view_id)

    def clear_views(self, user_id: str) -> None:
        """Close the user's whole modal stack (``response_action: clear``)."""
        for view_id in list(self.modal_stacks.get(user_id, [])):
            self.remove_view(view_id)
        self.modal_stacks[user_id] = []

    def apply_view_update(self, view_id: str, spec: Any) -> JSONDict:
        """Replace a view's content (``views.update`` / ``response_action: update``)."""
        existing = self.views.get(view_id)
        if existing is None:
            raise ApiError("not_found")
        parsed = self._validate_view(spec, {str(existing["type"])})
        view = self._build_view(
            parsed,
            view_id=view_id,
            root_view_id=existing.get("root_view_id"),
            previous_view_id=existing.get("previous_view_id"),
        )
        if not parsed.get("external_id"):
            view["external_id"] = existing.get("external_id", "")
        self.views[view_id] = view
        owner = self.view_owners.get(view_id)
        if owner is not None:
            if view["type"] == "home":
                self.home_tabs[owner] = view
            else:
                self._last_view[owner] = view_id
        return view

    def apply_view_push(self, user_id: str, spec: Any) -> JSONDict:
        """Push a modal on the user's stack (``views.push`` / ``response_action: push``)."""
        parsed = self._validate_view(spec, {"modal"})
        stack = self.modal_stacks.setdefault(user_id, [])
        if len(stack) >= MAX_VIEW_STACK:
            raise ApiError("push_limit_reached")
        if not stack:
            return self._open_modal(user_id, parsed)
        root = self.views[stack[0]]
        view = self._build_view(
            parsed, view_id=self._new_view_id(), root_view_id=root["id"], previous_view_id=stack[-1]
        )
        self._register_view(user_id, view)
        stack.append(view["id"])
        return view

    def _new_view_id(self) -> str:
        self._view_seq += 1
        alphabet = string.ascii_uppercase + string.digits
        suffix = "".join(self._rng.choice(alphabet) for _ in range(6))
        return f"V{self._view_seq:04d}{suffix}"

    def _new_hash(self) -> str:
        alphabet = string.ascii_letters + string.digits
        return f"{int(time.time())}.{''.join(self._rng.choice(alphabet) for _ in range(8))}"

    def _validate_view(self, spec: Any, allowed_types: set[str]) -> JSONDict:
        return blockkit.validate_view(spec, allowed_types)

    def _build_view(
        self, spec: JSONDict, *, view_id: str, root_view_id: Any, previous_view_id: Any
    ) -> JSONDict:
        blocks = assign_ids(copy.deepcopy(spec.get("blocks") or []), self._rng)
        return {
            "id": view_id,
            "team_id": self.team_id,
            "type": spec["type"],
            "blocks": blocks,
            "private_metadata": str(spec.get("private_metadata") or ""),
            "callback_id": str(spec.get("callback_id") or ""),
            "state": {"values": {}},
            "hash": self._new_hash(),
            "title": copy.deepcopy(spec.get("title")),
            "clear_on_close": bool(spec.get("clear_on_close", False)),
            "notify_on_close": bool(spec.get("notify_on_close", False)),
            "close": copy.deepcopy(spec.get("close")),
            "submit": copy.deepcopy(spec.get("submit")),
            "previous_view_id": previous_view_id,
            "root_view_id": root_view_id if root_view_id is not None else view_id,
            "app_id": self.app_id,
            "external_id": str(spec.get("external_id") or ""),
            "app_installed_team_id": self.team_id,
            "bot_id": self.bot_id,
        }

    def _register_view(self, user_id: str, view: JSONDict) -> None:
        external_id = view.get("external_id")
        if external_id:
            for other in self.views.values():
                if other.get("external_id") == external_id and other["id"] != view["id"]:
                    raise ApiError("duplicate_external_id")
        self.views[view["id"]] = view
        self.view_owners[view["id"]] = user_id
        self._last_view[user_id] = view["id"]

    def _open_modal(self, user_id: str, parsed: JSONDict) -> JSONDict:
        view_id = self._new_view_id()
        view = self._build_view(parsed, view_id=view_id, root_view_id=view_id, previous_view_id=None)
        self._register_view(user_id, view)
        for old in self.modal_stacks.get(user_id, []):  # a new root replaces whatever was open
            old_view = self.views.pop(old, None)
            if old_view is not None:
                self.closed_views[old] = old_view
        self.modal_stacks[user_id] = [view_id]
        return view
