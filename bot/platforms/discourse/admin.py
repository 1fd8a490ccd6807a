"""Discourse's admin API for `ambassador-bot setup discourse` and `doctor`: badges, groups and
webhooks, read into bot.program.badges.setup's records and written from its plan.

Every call goes through the gateway's paced, off-loop `call`. A 4xx answer becomes
`AdminRefused` with its status, so the command can tell a refused key (403) from a missing group
(404) from a validation error (422). The routes, parameters and answers follow Discourse's
controllers (app/controllers/admin/badges_controller.rb, admin/groups_controller.rb,
admin/web_hooks_controller.rb; config/routes.rb).
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable
from typing import Any

from bot.platforms.discourse.gateway import DiscourseGateway
from bot.program.badges.setup import (
    MEMBERS_ONLY,
    EventType,
    ForumBadge,
    ForumGroup,
    ForumWebhook,
    WebhookSpec,
)

WEB_HOOKS_PAGE = 50  # Admin::WebHooksController#index pages by 50
GOLD = 1  # BadgeType::Gold (badge_types: 1 Gold, 2 Silver, 3 Bronze)


class AdminRefused(Exception):
    """The forum answered 4xx: `status`, and its own message (``errors`` joined)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{status}: {message}")
        self.status = status
        self.message = message


def _checked(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run a pydiscourse call (in the worker thread); a 4xx is `AdminRefused`, not a delivery
    error: the set-up has to say which refusal it was."""
    from pydiscourse.exceptions import DiscourseClientError  # loaded with the client (gateway)

    try:
        return fn(*args, **kwargs)
    except DiscourseClientError as err:
        status = getattr(getattr(err, "response", None), "status_code", None) or 400
        raise AdminRefused(int(status), str(err)) from None


def _event_types(extras: dict[str, Any]) -> list[EventType]:
    """``extras.event_types`` (a list), or ``grouped_event_types`` (lists per group) as newer
    releases send them."""
    raw: list[Any] = list(extras.get("event_types") or [])
    grouped = extras.get("grouped_event_types")
    if isinstance(grouped, dict):
        for items in grouped.values():
            raw.extend(items or [])
    return [EventType(int(t["id"]), str(t["name"])) for t in raw if isinstance(t, dict) and "id" in t]


def _webhook(data: dict[str, Any]) -> ForumWebhook:
    """AdminWebHookSerializer → the record the plan compares."""
    return ForumWebhook(
        id=int(data["id"]),
        payload_url=str(data.get("payload_url") or ""),
        content_type=int(data.get("content_type") or 0),
        active=bool(data.get("active")),
        secret=str(data.get("secret") or ""),
        wildcard=bool(data.get("wildcard_web_hook")),
        event_names=frozenset(str(t.get("name")) for t in data.get("web_hook_event_types") or []),
    )


def _spec_json(spec: WebhookSpec) -> dict[str, Any]:
    """``web_hook`` parameters (Admin::WebHooksController#web_hook_params)."""
    return {
        "payload_url": spec.payload_url,
        "content_type": spec.content_type,
        "secret": spec.secret,
        "active": spec.active,
        "wildcard_web_hook": False,
        "verify_certificate": True,
        "web_hook_event_type_ids": list(spec.event_type_ids),
    }


class ForumAdmin:
    def __init__(self, gateway: DiscourseGateway) -> None:
        self._g = gateway
        self._c = gateway.client

    async def _call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> dict[str, Any]:
        data = await self._g.call(_checked, fn, *args, **kwargs)
        return dict(data or {})

    async def me(self, username: str) -> dict[str, Any]:
        """GET /u/{username}.json (UsersController#show): any valid key may read it; ``admin``
        says whether the key's user may use the admin API."""
        data = await self._call(self._c._get, f"/u/{urllib.parse.quote(username)}.json")
        return dict(data.get("user") or {})

    async def badges(self) -> list[ForumBadge]:
        """GET /admin/badges.json (Admin::BadgesController#index)."""
        data = await self._call(self._c._get, "/admin/badges.json")
        return [
            ForumBadge(int(b["id"]), str(b.get("name", "")), bool(b.get("enabled", True)))
            for b in data.get("badges") or []
        ]

    async def group(self, name: str) -> ForumGroup | None:
        """GET /groups/{name}.json (GroupsController#show); None when there is no such group."""
        try:
            data = await self._call(self._c._get, f"/groups/{urllib.parse.quote(name)}.json")
        except AdminRefused as err:
            if err.status == 404:
                return None
            raise
        g = data.get("group") or {}
        return ForumGroup(int(g["id"]), str(g.get("name", name)), int(g.get("visibility_level") or 0))

    async def web_hooks(self) -> tuple[list[ForumWebhook], list[EventType]]:
        """Every webhook (GET /admin/api/web_hooks.json, 50 a page) and the event types the
        forum offers (the index's ``extras``)."""
        hooks: list[ForumWebhook] = []
        types: list[EventType] = []
        offset = 0
        while True:
            data = await self._call(self._c._get, "/admin/api/web_hooks.json", offset=offset)
            page = list(data.get("web_hooks") or [])
            hooks.extend(_webhook(h) for h in page)
            if not types:
                types = _event_types(dict(data.get("extras") or {}))
            offset += len(page)
            if len(page) < WEB_HOOKS_PAGE or offset >= int(data.get("total_rows_web_hooks") or 0):
                return hooks, types

    async def create_badge(self, name: str, description: str) -> ForumBadge:
        """POST /admin/badges.json: a Gold badge that can be used as a title, granted once."""
        data = await self._call(
            self._c._post,
            "/admin/badges.json",
            json=True,
            name=name,
            badge_type_id=GOLD,
            description=description,
            allow_title=True,
            multiple_grant=False,
            listable=True,
            enabled=True,
        )
        b = data.get("badge") or {}
        return ForumBadge(int(b["id"]), str(b.get("name", name)), bool(b.get("enabled", True)))

    async def enable_badge(self, badge_id: int) -> None:
        """PUT /admin/badges/{id}.json with ``enabled`` only (the other columns stay)."""
        await self._call(self._c._put, f"/admin/badges/{badge_id}.json", json=True, enabled=True)

    async def create_group(self, name: str) -> ForumGroup:
        """POST /admin/groups.json: a private group (it and its members visible to members)."""
        group = {"name": name, "visibility_level": MEMBERS_ONLY, "members_visibility_level": MEMBERS_ONLY}
        data = await self._call(self._c._post, "/admin/groups.json", json=True, group=group)
        g = data.get("basic_group") or {}
        return ForumGroup(int(g["id"]), str(g.get("name", name)), int(g.get("visibility_level") or 0))

    async def create_web_hook(self, spec: WebhookSpec) -> ForumWebhook:
        """POST /admin/api/web_hooks.json."""
        data = await self._call(
            self._c._post, "/admin/api/web_hooks.json", json=True, web_hook=_spec_json(spec)
        )
        return _webhook(dict(data.get("web_hook") or {}))

    async def update_web_hook(self, hook_id: int, spec: WebhookSpec) -> ForumWebhook:
        """PUT /admin/api/web_hooks/{id}.json."""
        data = await self._call(
            self._c._put, f"/admin/api/web_hooks/{hook_id}.json", json=True, web_hook=_spec_json(spec)
        )
        return _webhook(dict(data.get("web_hook") or {}))
