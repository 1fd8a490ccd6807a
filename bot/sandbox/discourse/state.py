"""The forum's state (users, badges, groups, topics, posts) and the look-ups every area shares.

Ids follow Discourse's conventions: the ``system`` user is -1, custom badges start at 100 (ids
below are the system badges of db/fixtures/006_badges.rb), groups at 41 (ids up to 40 are the
automatic groups of Group::AUTO_GROUPS).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from bot.sandbox.discourse.i18n import translate
from bot.sandbox.discourse.wire import JSONDict, _avatar, _HttpError, _now_iso, _scalar, _slugify

__all__ = ["DiscourseGroup", "ForumState"]


@dataclass
class DiscourseGroup:
    id: int
    name: str
    full_name: str | None = None
    members: set[str] = field(default_factory=set)
    owners: set[str] = field(default_factory=set)
    added_at: dict[str, str] = field(default_factory=dict)
    automatic: bool = False
    # Group.visibility_levels (app/models/group.rb): public 0, logged_on_users 1, members 2, ...
    visibility_level: int = 0
    members_visibility_level: int = 0


@dataclass(eq=False)
class ForumState:
    """What the forum holds, and the settings that shape its answers. ``locale`` is the site's
    default locale: error messages come in that language (see bot.sandbox.discourse.i18n)."""

    api_key: str = "sandbox-key"
    api_username: str = "system"
    admin_limit_per_minute: int = 60
    clock: Callable[[], float] = time.monotonic
    min_post_length: int = 10
    min_topic_title_length: int = 15
    min_pm_title_length: int = 2
    title: str = "Sandbox Forum"
    on_event: Callable[[str, JSONDict], None] | None = None
    locale: str = "en"

    base_url: str = ""
    down: bool = False
    users: dict[str, JSONDict] = field(default_factory=dict, init=False, repr=False)
    badges: dict[int, JSONDict] = field(default_factory=dict, init=False, repr=False)
    user_badges: list[JSONDict] = field(default_factory=list, init=False, repr=False)
    groups: dict[str, DiscourseGroup] = field(default_factory=dict, init=False, repr=False)
    topics: dict[int, JSONDict] = field(default_factory=dict, init=False, repr=False)
    posts: list[JSONDict] = field(default_factory=list, init=False, repr=False)
    calls: list[tuple[str, str, JSONDict, int]] = field(default_factory=list, init=False, repr=False)
    events: list[tuple[str, JSONDict]] = field(default_factory=list, init=False, repr=False)
    # Admin → API → Webhooks: id -> web hook record (bot.sandbox.discourse.routes_admin).
    web_hooks: dict[int, JSONDict] = field(default_factory=dict, init=False, repr=False)
    rate_limited: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        self._next_user_id = 1
        self._next_badge_id = 100  # ids below 100 are Discourse's system badges
        self._next_user_badge_id = 1
        self._next_group_id = 41  # ids below 41 are automatic groups
        self._next_group_user_id = 1
        self._next_topic_id = 10
        self._next_post_id = 10
        if self.api_username == "system":
            self._insert_user("system", "system", user_id=-1, admin=True, moderator=True, trust_level=4)
        else:
            self.add_user(self.api_username, admin=True)

    # ------------------------------------------------------------------ errors, in the locale

    def _t(self, key: str, **values: object) -> str:
        return translate(self.locale, key, **values)

    def _not_found(self) -> _HttpError:
        """Discourse::NotFound, rendered by ApplicationController#rescue_discourse_actions."""
        return _HttpError(404, {"errors": [self._t("not_found")], "error_type": "not_found"})

    def _invalid_access(self) -> _HttpError:
        """Discourse::InvalidAccess (app/controllers/application_controller.rb)."""
        return _HttpError(403, {"errors": [self._t("invalid_access")], "error_type": "invalid_access"})

    def _invalid_params(self, detail: str, status: int = 400) -> _HttpError:
        """Discourse::InvalidParameters: 400 with ``error_type: invalid_parameters``."""
        message = self._t("invalid_params", message=detail)
        return _HttpError(status, {"errors": [message], "error_type": "invalid_parameters"})

    def _param_missing(self, name: str) -> _HttpError:
        """ActionController::ParameterMissing (``params.require``): a 400, invalid_parameters."""
        message = self._t("param_missing", name=name)
        return _HttpError(400, {"errors": [message], "error_type": "invalid_parameters"})

    def _json_error(self, message: str, status: int = 422) -> _HttpError:
        """``render_json_error(message)`` (lib/json_error.rb): ``{"errors": [message]}``, 422, and
        no ``error_type`` (only Discourse's exception handlers add one)."""
        return _HttpError(status, {"errors": [message]})

    # ------------------------------------------------------------------ setup

    def add_user(
        self,
        username: str,
        name: str | None = None,
        *,
        email: str | None = None,
        user_id: int | None = None,
        admin: bool = False,
        moderator: bool = False,
        trust_level: int = 1,
    ) -> int:
        """Create a forum user; returns its id (an existing username just returns its id)."""
        existing = self._find_user(username)
        if existing is not None:
            if name is not None:
                existing["name"] = name
            if email is not None:
                existing["email"] = email
            return int(existing["id"])
        user = self._insert_user(
            username,
            name,
            email=email,
            user_id=user_id,
            admin=admin,
            moderator=moderator,
            trust_level=trust_level,
        )
        return int(user["id"])

    def _insert_user(
        self,
        username: str,
        name: str | None,
        *,
        email: str | None = None,
        user_id: int | None = None,
        admin: bool = False,
        moderator: bool = False,
        trust_level: int = 1,
    ) -> JSONDict:
        if self._find_user(username) is not None:
            raise ValueError(f"username {username!r} is taken")
        if user_id is None:
            user_id = self._next_user_id
        self._next_user_id = max(self._next_user_id, user_id + 1)
        user: JSONDict = {
            "id": user_id,
            "username": username,
            "name": name,
            "avatar_template": _avatar(username),
            "email": email or f"{username.lower()}@forum.sandbox.invalid",
            "created_at": _now_iso(),
            "last_seen_at": None,
            "last_posted_at": None,
            "trust_level": trust_level,
            "admin": admin,
            "moderator": moderator,
            "title": None,
            "active": True,
            "staged": False,
        }
        self.users[username] = user
        return user

    def add_badge(
        self,
        name: str,
        badge_id: int | None = None,
        enabled: bool = True,
        multiple_grant: bool = False,
        *,
        description: str = "",
        badge_type_id: int = 3,
        show_posts: bool = False,
    ) -> int:
        """Create a badge; returns its id (custom badges start at 100, like Discourse)."""
        if badge_id is None:
            badge_id = self._next_badge_id
        self._next_badge_id = max(self._next_badge_id, badge_id + 1)
        self.badges[badge_id] = {
            "id": badge_id,
            "name": name,
            "description": description,
            "grant_count": 0,
            "allow_title": False,
            "multiple_grant": multiple_grant,
            "icon": "certificate",
            "image_url": None,
            "listable": True,
            "enabled": enabled,
            "badge_grouping_id": 5,
            "system": badge_id < 100,
            "long_description": "",
            "slug": _slugify(name),
            "manually_grantable": True,
            "query": None,
            "trigger": None,
            "target_posts": False,
            "auto_revoke": True,
            "show_posts": show_posts,
            "i18n_name": None,
            "image_upload_id": None,
            "badge_type_id": badge_type_id,
            "show_in_post_header": False,
        }
        return badge_id

    def add_user_badge(self, username: str, badge_id: int, *, granted_at: str | None = None) -> int:
        """Record that ``username`` holds badge ``badge_id`` (as if granted on the forum by the
        system user, no webhook); returns the user badge id."""
        user = self._require_user_for_setup(username)
        when = granted_at or _now_iso()
        ub_id = self._next_user_badge_id
        self._next_user_badge_id += 1
        self.user_badges.append(
            {
                "id": ub_id,
                "user_id": user["id"],
                "badge_id": badge_id,
                "granted_at": when,
                "created_at": when,
                "granted_by_id": -1,
                "post_id": None,
                "reason": None,
            }
        )
        return ub_id

    def add_group(
        self,
        name: str,
        group_id: int | None = None,
        *,
        full_name: str | None = None,
        members: Iterable[str] = (),
        owners: Iterable[str] = (),
    ) -> int:
        """Create a group (owners are members too); returns its id."""
        if group_id is None:
            group_id = self._next_group_id
        self._next_group_id = max(self._next_group_id, group_id + 1)
        group = DiscourseGroup(id=group_id, name=name, full_name=full_name)
        self.groups[name] = group
        owner_set = set(owners)
        for username in [*members, *owner_set]:
            user = self._require_user_for_setup(username)
            group.members.add(user["username"])
            group.added_at.setdefault(user["username"], _now_iso())
        group.owners = {self._require_user_for_setup(u)["username"] for u in owner_set}
        return group_id

    # ------------------------------------------------------------------ inspection

    def badges_of(self, username: str) -> list[str]:
        user = self._find_user(username)
        if user is None:
            return []
        return [
            str(self.badges[ub["badge_id"]]["name"])
            for ub in self.user_badges
            if ub["user_id"] == user["id"] and ub["badge_id"] in self.badges
        ]

    def members_of(self, group_name: str) -> set[str]:
        group = self._find_group(group_name)
        return set(group.members) if group is not None else set()

    def pms_to(self, username: str) -> list[JSONDict]:
        wanted = username.lower()
        out: list[JSONDict] = []
        for post in self.posts:
            if post.get("archetype") != "private_message":
                continue
            if wanted in {r.lower() for r in self._expand_recipients(post.get("target_recipients") or [])}:
                out.append(post)
        return out

    # ------------------------------------------------------------------ look-ups

    def _emit(self, event_name: str, payload: JSONDict) -> None:
        self.events.append((event_name, payload))
        if self.on_event is not None:
            self.on_event(event_name, payload)

    def _find_user(self, username: str) -> JSONDict | None:
        if username in self.users:
            return self.users[username]
        lowered = username.lower()
        for name, user in self.users.items():
            if name.lower() == lowered:
                return user
        return None

    def _require_user_for_setup(self, username: str) -> JSONDict:
        user = self._find_user(username)
        if user is None:
            raise ValueError(f"add_user({username!r}) first")
        return user

    def _user_by_id(self, raw_id: str) -> JSONDict | None:
        try:
            wanted = int(raw_id)
        except ValueError:
            return None
        return next((u for u in self.users.values() if u["id"] == wanted), None)

    def _find_group(self, name: str) -> DiscourseGroup | None:
        if name in self.groups:
            return self.groups[name]
        lowered = name.lower()
        return next((g for g in self.groups.values() if g.name.lower() == lowered), None)

    def _group_by_id(self, raw_id: str) -> DiscourseGroup:
        try:
            wanted = int(raw_id)
        except ValueError as exc:
            raise self._not_found() from exc
        group = next((g for g in self.groups.values() if g.id == wanted), None)
        if group is None:
            raise self._not_found()
        return group

    def _find_post(self, post_id: int) -> JSONDict | None:
        return next((p for p in self.posts if p["id"] == post_id), None)

    def _requested_usernames(self, params: JSONDict) -> list[str]:
        raw = params.get("usernames")
        if isinstance(raw, list):
            return [str(n).strip() for n in raw if str(n).strip()]
        return [n.strip() for n in str(raw or "").split(",") if n.strip()]

    def _users_from_params(self, params: JSONDict) -> list[JSONDict]:
        found: list[JSONDict] = []
        for name in self._requested_usernames(params):
            user = self._find_user(name)
            if user is not None and user not in found:
                found.append(user)
        raw_ids = params.get("user_ids") or params.get("user_id")
        if raw_ids:
            items = raw_ids if isinstance(raw_ids, list) else str(raw_ids).split(",")
            for item in items:
                user = self._user_by_id(str(item).strip())
                if user is not None and user not in found:
                    found.append(user)
        return found

    def _badge_from_params(self, params: JSONDict) -> JSONDict | None:
        badge_id = _scalar(params.get("badge_id"))
        if badge_id:
            try:
                return self.badges.get(int(badge_id))
            except ValueError:
                return None
        badge_name = _scalar(params.get("badge_name"))
        if badge_name:
            lowered = badge_name.lower()
            return next((b for b in self.badges.values() if str(b["name"]).lower() == lowered), None)
        return None

    def _expand_recipients(self, names: list[str]) -> set[str]:
        out: set[str] = set()
        for name in names:
            group = self._find_group(name)
            if group is not None and self._find_user(name) is None:
                out.update(group.members)
            else:
                out.add(name)
        return out
