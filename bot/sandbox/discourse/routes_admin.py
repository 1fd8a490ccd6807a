"""Admin set-up endpoints: create or enable a badge, create a group, list, create and update
webhooks (app/controllers/admin/badges_controller.rb, app/controllers/admin/groups_controller.rb,
app/controllers/admin/web_hooks_controller.rb; paths from config/routes.rb: ``resources :badges``
and ``resources :groups`` in the admin namespace, ``resources :web_hooks`` under
``scope "/api"``). The answers' shapes agree with discourse/discourse_api_docs' OpenAPI spec
(createBadge: ``badge_types`` and ``badge``; createGroup: ``basic_group``; see
../shared/fixtures/discourse/openapi/openapi.json), which has no webhook operations.

These controllers are Admin::AdminController subclasses (``before_action :ensure_admin``): a key
whose user is not an admin gets Discourse::InvalidAccess, 403 ``invalid_access``. Validation
failures are ``render_json_error`` of the model's ``errors.full_messages``: 422
``{"errors": [...]}``.
"""

from __future__ import annotations

import re
from typing import Any

from bot.sandbox.discourse.serializers import BADGE_TYPES, Serializers
from bot.sandbox.discourse.wire import JSONDict, _HttpError, _scalar

# db/fixtures/007_web_hook_event_types.rb with the ids of WebHookEventType::TYPES
# (app/models/web_hook_event_type.rb): one type per event, in groups. WebHookEventType.active
# leaves out the plugins' types (solved, assign, voting, chat) when the plugin is off, as here.
WEB_HOOK_EVENT_TYPES: tuple[tuple[int, str, str], ...] = (
    (101, "topic_created", "topic"),
    (102, "topic_revised", "topic"),
    (103, "topic_edited", "topic"),
    (104, "topic_destroyed", "topic"),
    (105, "topic_recovered", "topic"),
    (201, "post_created", "post"),
    (202, "post_edited", "post"),
    (203, "post_destroyed", "post"),
    (204, "post_recovered", "post"),
    (301, "user_logged_in", "user"),
    (302, "user_logged_out", "user"),
    (303, "user_confirmed_email", "user"),
    (304, "user_created", "user"),
    (305, "user_approved", "user"),
    (306, "user_updated", "user"),
    (307, "user_destroyed", "user"),
    (308, "user_suspended", "user"),
    (309, "user_unsuspended", "user"),
    (401, "group_created", "group"),
    (402, "group_updated", "group"),
    (403, "group_destroyed", "group"),
    (501, "category_created", "category"),
    (502, "category_updated", "category"),
    (503, "category_destroyed", "category"),
    (601, "tag_created", "tag"),
    (602, "tag_updated", "tag"),
    (603, "tag_destroyed", "tag"),
    (901, "reviewable_created", "reviewable"),
    (902, "reviewable_updated", "reviewable"),
    (1001, "notification_created", "notification"),
    (1301, "user_badge_granted", "user_badge"),
    (1302, "user_badge_revoked", "user_badge"),
    (1401, "user_added_to_group", "group_user"),
    (1402, "user_removed_from_group", "group_user"),
    (1501, "post_liked", "like"),
    (1601, "user_promoted", "user_promoted"),
)
# WebHook.content_types and WebHook.last_delivery_statuses (app/models/web_hook.rb).
CONTENT_TYPES = {1: "application/json", 2: "application/x-www-form-urlencoded"}
DELIVERY_STATUSES = {1: "inactive", 2: "failed", 3: "successful", 4: "disabled"}
WEB_HOOKS_PAGE = 50  # Admin::WebHooksController#index: limit = 50
_URL = re.compile(r"https?://[^\s/]+\S*", re.IGNORECASE)
_TRUE = {"true", "1", "t", "on", "yes"}


def _nested(params: JSONDict, root: str) -> JSONDict:
    """``params.require(root)``'s hash, sent as JSON (``{"web_hook": {...}}``) or as form fields
    (``web_hook[payload_url]=…``, ``web_hook[web_hook_event_type_ids][]=…``)."""
    out: JSONDict = {}
    inner = params.get(root)
    if isinstance(inner, dict):
        out.update(inner)
    prefix = f"{root}["
    for key, value in params.items():
        if key.startswith(prefix) and "]" in key:
            out[key[len(prefix) :].split("]", 1)[0]] = value
    return out


def _flag(value: Any, default: bool) -> bool:
    """ActiveModel's boolean cast: "true", "1", "t", "on" are true; anything else given is false."""
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in _TRUE


def _int_or_none(value: Any) -> int | None:
    text = _scalar(value)
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None


class AdminRoutes(Serializers):
    def _require_admin(self) -> None:
        """ApplicationController#ensure_admin: InvalidAccess unless the key's user is an admin."""
        user = self._find_user(self.api_username)
        if user is None or not user["admin"]:
            raise self._invalid_access()

    # ------------------------------------------------------------------ badges

    def _create_badge(self, match: re.Match[str], params: JSONDict) -> JSONDict:
        """POST /admin/badges.json (Admin::BadgesController#create): the badge's columns as
        top-level parameters (``name``, ``badge_type_id``, ``description``, ``enabled``,
        ``multiple_grant``, ``allow_title``…). Badge validates a name, unique regardless of case,
        and an existing badge type. Answer: AdminBadgeSerializer under ``badge``, with
        ``badge_types``."""
        self._require_admin()
        name = (_scalar(params.get("name")) or "").strip()
        type_id = _int_or_none(params.get("badge_type_id"))
        errors: list[str] = []
        if not name:
            errors.append("Name can't be blank")
        elif any(str(b["name"]).lower() == name.lower() for b in self.badges.values()):
            errors.append("Name has already been taken")
        if type_id not in {t["id"] for t in BADGE_TYPES}:
            errors.append("Badge type must exist")
        if errors:
            raise _HttpError(422, {"errors": errors})
        badge_id = self.add_badge(
            name,
            enabled=_flag(params.get("enabled"), True),
            multiple_grant=_flag(params.get("multiple_grant"), False),
            description=_scalar(params.get("description")) or "",
            badge_type_id=int(type_id or 3),
        )
        self.badges[badge_id]["allow_title"] = _flag(params.get("allow_title"), False)
        return {
            "badge_types": [dict(t) for t in BADGE_TYPES],
            "badge": self._badge_json(self.badges[badge_id]),
        }

    def _update_badge(self, match: re.Match[str], params: JSONDict) -> JSONDict:
        """PUT /admin/badges/{id}.json (Admin::BadgesController#update): only the columns given
        change (``badge.public_send("#{key}=", params[key]) if params[key]``); a missing id is
        404."""
        self._require_admin()
        badge = self.badges.get(_int_or_none(match["id"]) or -1)
        if badge is None:
            raise self._not_found()
        if params.get("enabled") is not None:
            badge["enabled"] = _flag(params.get("enabled"), True)
        if _scalar(params.get("description")) is not None:
            badge["description"] = _scalar(params.get("description"))
        return {"badge": self._badge_json(badge)}

    # ------------------------------------------------------------------ groups

    def _create_group(self, match: re.Match[str], params: JSONDict) -> JSONDict:
        """POST /admin/groups.json (Admin::GroupsController#create): ``params.require(:group)``
        (400 when absent), ``group[name]`` unique regardless of case, ``group[visibility_level]``
        and ``group[members_visibility_level]`` (Group.visibility_levels). Answer:
        BasicGroupSerializer under ``basic_group``."""
        self._require_admin()
        fields = _nested(params, "group")
        if not fields:
            raise self._param_missing("group")
        name = (_scalar(fields.get("name")) or "").strip()
        if not name:
            raise _HttpError(422, {"errors": ["Name can't be blank"]})
        if self._find_group(name) is not None:
            raise _HttpError(422, {"errors": ["Name has already been taken"]})
        if not re.fullmatch(r"[\w.-]{2,60}", name):
            raise _HttpError(
                422, {"errors": ["Name must only include numbers, letters, dashes, dots, and underscores"]}
            )
        self.add_group(name, full_name=_scalar(fields.get("full_name")))
        group = self.groups[name]
        group.visibility_level = _int_or_none(fields.get("visibility_level")) or 0
        group.members_visibility_level = _int_or_none(fields.get("members_visibility_level")) or 0
        return {"basic_group": self._group_summary(group)}

    # ------------------------------------------------------------------ web hooks

    def _event_type_json(self, type_id: int) -> JSONDict:
        """WebHookEventTypeSerializer (app/serializers/web_hook_event_type_serializer.rb)."""
        _id, name, group = next(t for t in WEB_HOOK_EVENT_TYPES if t[0] == type_id)
        return {"id": type_id, "name": name, "group": group}

    def _web_hook_json(self, hook: JSONDict) -> JSONDict:
        """AdminWebHookSerializer (app/serializers/admin_web_hook_serializer.rb): the secret is
        shown to admins; ``last_delivery_status`` is ``disabled`` (4) for an inactive hook."""
        return {
            "id": hook["id"],
            "payload_url": hook["payload_url"],
            "content_type": hook["content_type"],
            "last_delivery_status": hook["last_delivery_status"] if hook["active"] else 4,
            "secret": hook["secret"],
            "wildcard_web_hook": hook["wildcard_web_hook"],
            "verify_certificate": hook["verify_certificate"],
            "active": hook["active"],
            "web_hook_event_types": [self._event_type_json(i) for i in hook["web_hook_event_type_ids"]],
            "category_ids": [],
            "tag_names": [],
            "group_ids": [],
        }

    def _list_web_hooks(self, match: re.Match[str], params: JSONDict) -> JSONDict:
        """GET /admin/api/web_hooks.json (Admin::WebHooksController#index): 50 a page from
        ``offset``, with the event types, content types and delivery statuses in ``extras``."""
        self._require_admin()
        offset = max(0, _int_or_none(params.get("offset")) or 0)
        hooks = [self.web_hooks[i] for i in sorted(self.web_hooks)]
        page = hooks[offset : offset + WEB_HOOKS_PAGE]
        return {
            "web_hooks": [self._web_hook_json(h) for h in page],
            "extras": {
                "event_types": [self._event_type_json(t[0]) for t in WEB_HOOK_EVENT_TYPES],
                "default_event_types": [self._event_type_json(201)],
                "content_types": [{"id": i, "name": n} for i, n in CONTENT_TYPES.items()],
                "delivery_statuses": [{"id": i, "name": n} for i, n in DELIVERY_STATUSES.items()],
            },
            "total_rows_web_hooks": len(hooks),
            "load_more_web_hooks": f"/admin/api/web_hooks.json?limit={WEB_HOOKS_PAGE}"
            f"&offset={offset + WEB_HOOKS_PAGE}",
        }

    def _web_hook_by_id(self, raw_id: str) -> JSONDict:
        """``WebHook.find(params[:id])``: 404 when there is none."""
        hook = self.web_hooks.get(_int_or_none(raw_id) or -1)
        if hook is None:
            raise self._not_found()
        return hook

    def _show_web_hook(self, match: re.Match[str], params: JSONDict) -> JSONDict:
        """GET /admin/api/web_hooks/{id}.json (#show): AdminWebHookSerializer under ``web_hook``."""
        self._require_admin()
        return {"web_hook": self._web_hook_json(self._web_hook_by_id(match["id"]))}

    def _apply_web_hook(self, hook: JSONDict, fields: JSONDict) -> JSONDict:
        """The permitted ``web_hook`` parameters (#web_hook_params) applied to a copy of `hook`,
        then WebHook's validations (app/models/web_hook.rb); 422 with every failed one."""
        new = dict(hook)
        for key in ("payload_url", "secret"):
            if key in fields:
                new[key] = (_scalar(fields[key]) or "").strip()
        if "content_type" in fields:
            new["content_type"] = _int_or_none(fields["content_type"])
        for key in ("active", "wildcard_web_hook", "verify_certificate"):
            if key in fields:
                new[key] = _flag(fields[key], bool(hook[key]))
        if "web_hook_event_type_ids" in fields:
            raw = fields["web_hook_event_type_ids"]
            items = raw if isinstance(raw, list) else [raw]
            ids = [_int_or_none(i) for i in items if str(i).strip()]
            known = {t[0] for t in WEB_HOOK_EVENT_TYPES}
            if any(i not in known for i in ids):
                raise self._not_found()  # has_and_belongs_to_many ids=: RecordNotFound
            new["web_hook_event_type_ids"] = sorted({int(i) for i in ids if i is not None})
        errors: list[str] = []
        if not new["payload_url"]:
            errors.append("Payload url can't be blank")
        elif not _URL.fullmatch(new["payload_url"]):
            errors.append("Payload url is invalid")
        if new["secret"] and len(new["secret"]) < 12:
            errors.append("Secret is too short (minimum is 12 characters)")
        if new["content_type"] not in CONTENT_TYPES:
            errors.append("Content type can't be blank")
        if not new["wildcard_web_hook"] and not new["web_hook_event_type_ids"]:
            errors.append("Web hook event types can't be blank")
        if errors:
            raise _HttpError(422, {"errors": errors})
        return new

    def _create_web_hook(self, match: re.Match[str], params: JSONDict) -> JSONDict:
        """POST /admin/api/web_hooks.json (#create), body ``web_hook[...]``: payload_url,
        content_type (1 JSON, 2 form), secret, active, wildcard_web_hook, verify_certificate,
        web_hook_event_type_ids[]. A new hook has not delivered anything yet (status 1)."""
        self._require_admin()
        fields = _nested(params, "web_hook")
        if not fields:
            raise self._param_missing("web_hook")
        blank: JSONDict = {
            "id": max(self.web_hooks, default=0) + 1,
            "payload_url": "",
            "content_type": 1,
            "secret": "",
            "active": False,
            "wildcard_web_hook": False,
            "verify_certificate": True,
            "web_hook_event_type_ids": [],
            "last_delivery_status": 1,
        }
        hook = self._apply_web_hook(blank, fields)
        self.web_hooks[hook["id"]] = hook
        return {"web_hook": self._web_hook_json(hook)}

    def _update_web_hook(self, match: re.Match[str], params: JSONDict) -> JSONDict:
        """PUT /admin/api/web_hooks/{id}.json (#update): the given fields change, the rest stay."""
        self._require_admin()
        hook = self._web_hook_by_id(match["id"])
        fields = _nested(params, "web_hook")
        if not fields:
            raise self._param_missing("web_hook")
        updated = self._apply_web_hook(hook, fields)
        self.web_hooks[hook["id"]] = updated
        return {"web_hook": self._web_hook_json(updated)}

    # ------------------------------------------------------------------ test set-up

    def add_web_hook(
        self,
        payload_url: str,
        events: tuple[str, ...] | list[str],
        *,
        secret: str = "",
        active: bool = True,
        content_type: int = 1,
        wildcard: bool = False,
    ) -> int:
        """Create a webhook as an admin would in Admin → API → Webhooks; returns its id."""
        ids = sorted(t[0] for t in WEB_HOOK_EVENT_TYPES if t[1] in set(events))
        hook_id = max(self.web_hooks, default=0) + 1
        self.web_hooks[hook_id] = {
            "id": hook_id,
            "payload_url": payload_url,
            "content_type": content_type,
            "secret": secret,
            "active": active,
            "wildcard_web_hook": wildcard,
            "verify_certificate": True,
            "web_hook_event_type_ids": ids,
            "last_delivery_status": 1,
        }
        return hook_id
