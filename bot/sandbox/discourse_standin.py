"""A local, real-HTTP stand-in for Discourse's REST API, and an actor sending Discourse webhooks.

``DiscourseStandIn`` answers the endpoints the bot uses (through pydiscourse or plain HTTP)
with Discourse's payload shapes and failure modes: ``Api-Key``/``Api-Username`` auth (403),
the single site-wide admin API rate limit (429 + ``Retry-After`` + ``extras.wait_seconds``),
validation errors (400/404/422) and outages (502 HTML page). Successful answers carry
``Content-Type: application/json; charset=utf-8`` exactly, which pydiscourse insists on.
Every request is recorded in ``calls``.

``DiscourseActor`` plays Discourse delivering webhooks to the bot: the real envelope
(``{"<event_type>": {...}}``), headers and ``X-Discourse-Event-Signature``. The payload
builders produce the shapes of webhooks captured from Discourse 2025.12.
"""

from __future__ import annotations

import collections
import contextlib
import copy
import datetime as dt
import hashlib
import hmac
import html
import json
import math
import re
import time
import urllib.parse
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from bot.sandbox.faults import Faults, Hang, Storm, StormStatus
from bot.sandbox.http import serve_asgi

__all__ = [
    "DiscourseActor",
    "DiscourseGroup",
    "DiscourseStandIn",
    "event_type_for",
    "group_user_payload",
    "post_payload",
    "topic_payload",
    "user_badge_payload",
    "user_payload",
]

JSONDict = dict[str, Any]

JSON_CONTENT_TYPE = "application/json; charset=utf-8"
DISCOURSE_USER_AGENT = (
    "Discourse/2025.12.0-latest-80cd66e41fdba5cbc43ca9cc802424030ff9fbef; +https://www.discourse.org/"
)
_WINDOW_SECONDS = 60.0
_NOT_FOUND = "The requested URL or resource could not be found."
_INVALID_ACCESS = "You are not permitted to view the requested resource. The API username or key is invalid."
_BAD_GATEWAY_PAGE = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)
_BADGE_TYPES = [
    {"id": 1, "name": "Gold", "sort_order": 9},
    {"id": 2, "name": "Silver", "sort_order": 8},
    {"id": 3, "name": "Bronze", "sort_order": 7},
]
_BADGE_GROUPINGS = [
    {"id": 1, "name": "GettingStarted", "description": None, "position": 10, "system": True},
    {"id": 2, "name": "Community", "description": None, "position": 11, "system": True},
    {"id": 3, "name": "Posting", "description": None, "position": 12, "system": True},
    {"id": 4, "name": "TrustLevel", "description": None, "position": 13, "system": True},
    {"id": 5, "name": "Other", "description": None, "position": 14, "system": True},
]


def _now_iso() -> str:
    now = dt.datetime.now(dt.UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def _avatar(username: str) -> str:
    letter = (username[:1] or "x").lower()
    return f"/letter_avatar_proxy/v4/letter/{letter}/5daacb/{{size}}.png"


def _slugify(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug or "topic"


def _dumps(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class _HttpError(Exception):
    def __init__(self, status: int, body: JSONDict, headers: dict[str, str] | None = None) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status
        self.body = body
        self.headers = headers or {}


def _not_found() -> _HttpError:
    return _HttpError(404, {"errors": [_NOT_FOUND], "error_type": "not_found"})


def _invalid_params(message: str, status: int = 400) -> _HttpError:
    return _HttpError(status, {"errors": [message], "error_type": "invalid_parameters"})


def _param_missing(name: str) -> _HttpError:
    return _invalid_params(f"param is missing or the value is empty: {name}")


def _post_error(message: str) -> _HttpError:
    return _HttpError(422, {"action": "create_post", "errors": [message]})


def _rate_limit_error(wait: int) -> _HttpError:
    return _HttpError(
        429,
        {
            "errors": [
                "You’ve performed this action too many times. "
                f"Please wait {wait} seconds before trying again."
            ],
            "error_type": "rate_limit",
            "extras": {"wait_seconds": wait, "time_left": f"{wait} seconds"},
        },
        {"Retry-After": str(wait), "Discourse-Rate-Limit-Error-Code": "admin_api_key_rate_limit"},
    )


@dataclass
class DiscourseGroup:
    id: int
    name: str
    full_name: str | None = None
    members: set[str] = field(default_factory=set)
    owners: set[str] = field(default_factory=set)
    added_at: dict[str, str] = field(default_factory=dict)
    automatic: bool = False


@dataclass
class _ForcedFailure:
    method: str
    path_prefix: str
    times: int
    status: int
    retry_after: int


_Handler = Callable[[re.Match[str], JSONDict], JSONDict]


@dataclass(eq=False)
class DiscourseStandIn:
    """Discourse REST API stand-in. Serve ``.app``; use ``DiscourseClient(host=url, ...)``."""

    api_key: str = "sandbox-key"
    api_username: str = "system"
    admin_limit_per_minute: int = 60
    clock: Callable[[], float] = time.monotonic
    min_post_length: int = 10
    min_topic_title_length: int = 15
    min_pm_title_length: int = 2
    title: str = "Sandbox Forum"
    on_event: Callable[[str, JSONDict], None] | None = None

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
    rate_limited: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        self._window: collections.deque[float] = collections.deque()
        self._failures: list[_ForcedFailure] = []
        self.faults = Faults(self.clock)
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
        routes: list[tuple[str, str, _Handler, bool]] = [
            ("GET", r"/site/basic-info(?:\.json)?", self._basic_info, True),
            ("GET", r"/admin/badges(?:\.json)?", self._admin_badges, False),
            ("POST", r"/user_badges(?:\.json)?", self._grant_badge, False),
            ("GET", r"/user_badges(?:\.json)?", self._badge_holders, False),
            ("DELETE", r"/user_badges/(?P<id>[^/]+?)(?:\.json)?", self._revoke_badge, False),
            ("GET", r"/user-badges/(?P<username>[^/]+?)(?:\.json)?", self._list_user_badges, False),
            ("GET", r"/groups/(?P<name>[^/]+?)/members(?:\.json)?", self._group_members, False),
            ("PUT", r"/groups/(?P<id>[^/]+?)/members(?:\.json)?", self._add_members, False),
            ("DELETE", r"/groups/(?P<id>[^/]+?)/members(?:\.json)?", self._remove_members, False),
            ("PUT", r"/admin/groups/(?P<id>[^/]+?)/owners(?:\.json)?", self._add_owners, False),
            ("GET", r"/groups/(?P<name>[^/]+?)(?:\.json)?", self._get_group, False),
            ("GET", r"/admin/users/(?P<id>[^/]+?)(?:\.json)?", self._admin_get_user, False),
            ("GET", r"/(?:users|u)/(?P<username>[^/]+?)(?:\.json)?", self._get_user, False),
            ("POST", r"/posts(?:\.json)?", self._create_post, False),
            ("GET", r"/t/(?P<id>\d+)/posts(?:\.json)?", self._topic_posts, False),
            ("GET", r"/topics/private-messages-sent/(?P<username>[^/]+?)(?:\.json)?", self._pms_sent, False),
        ]
        self._routes = [(verb, re.compile(pattern), fn, public) for verb, pattern, fn, public in routes]
        self._app = Starlette(
            routes=[Route("/{path:path}", self._handle, methods=["GET", "POST", "PUT", "DELETE", "PATCH"])]
        )

    # ------------------------------------------------------------------ serving

    @property
    def app(self) -> Starlette:
        return self._app

    @contextlib.asynccontextmanager
    async def serve(self, host: str = "127.0.0.1", port: int = 0) -> AsyncIterator[str]:
        """Serve the stand-in and set ``base_url``; yields the base URL."""
        async with serve_asgi(self._app, host, port) as url:
            self.base_url = url
            yield url

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

    def fail_next(
        self, method: str, path_prefix: str, times: int = 1, status: int = 500, retry_after: int = 5
    ) -> None:
        """Force the next ``times`` requests ``method path_prefix*`` to fail with ``status``."""
        self._failures.append(_ForcedFailure(method.upper(), path_prefix, times, status, retry_after))

    def storm(
        self,
        status: StormStatus,
        seconds: float,
        methods: list[str] | None = None,
        path_prefixes: list[str] | None = None,
        retry_after: int = 1,
        hang_seconds: float = 5.0,
    ) -> Storm:
        """For ``seconds`` (of ``clock``), every matching request (default: all) fails: 429 with
        ``Retry-After``, 500 (JSON), 502/503 (an HTML gateway page), or ``"hang"`` (held for
        ``hang_seconds``, then 504, with no effect)."""
        return self.faults.storm(
            status,
            seconds,
            methods=[m.upper() for m in methods] if methods is not None else None,
            path_prefixes=path_prefixes,
            retry_after=retry_after,
            hang_seconds=hang_seconds,
        )

    def hang_next(
        self, method: str, path_prefix: str, times: int = 1, seconds: float = 5.0, after_effect: bool = True
    ) -> Hang:
        """Hold the answer to the next ``times`` requests ``method path_prefix*`` for ``seconds``;
        with ``after_effect`` the request takes effect first (only its answer is late)."""
        return self.faults.hang_next(method.upper(), path_prefix, times, seconds, after_effect)

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

    def calls_to(self, method: str, path_prefix: str) -> list[tuple[str, str, JSONDict, int]]:
        return [c for c in self.calls if c[0] == method.upper() and c[1].startswith(path_prefix)]

    # ------------------------------------------------------------------ HTTP layer

    async def _handle(self, request: Request) -> Response:
        method = request.method.upper()
        path = "/" + str(request.path_params.get("path", ""))
        try:
            params = await _read_params(request)
        except _HttpError as exc:
            self.calls.append((method, path, {}, exc.status))
            return _json(exc.body, exc.status, exc.headers)
        storm = None if self.down else self.faults.storming(method, path)
        if storm is not None:
            response = await self._storm_response(storm)
            self.calls.append((method, path, params, response.status_code))
            return response
        hang = None if self.down else self.faults.take_hang(method, path)
        if hang is not None and not hang.after_effect:
            self.calls.append((method, path, params, 504))
            await self.faults.hold(hang.seconds)
            return HTMLResponse(_BAD_GATEWAY_PAGE.replace("502 Bad Gateway", "504 Gateway Timeout"), 504)
        response = self._dispatch(request, method, path, params)
        self.calls.append((method, path, params, response.status_code))
        if hang is not None:
            await self.faults.hold(hang.seconds)
        return response

    async def _storm_response(self, storm: Storm) -> Response:
        if storm.status == "hang":
            await self.faults.hold(storm.hang_seconds)
            return HTMLResponse(_BAD_GATEWAY_PAGE.replace("502 Bad Gateway", "504 Gateway Timeout"), 504)
        if storm.status == 429:
            self.rate_limited += 1
            err = _rate_limit_error(storm.retry_after)
            return _json(err.body, 429, err.headers)
        if storm.status >= 502:
            page = _BAD_GATEWAY_PAGE.replace("502 Bad Gateway", f"{storm.status} Error")
            return HTMLResponse(page, status_code=storm.status)
        return _json({"status": storm.status, "error": "Internal Server Error"}, storm.status)

    def _dispatch(self, request: Request, method: str, path: str, params: JSONDict) -> Response:
        if self.down:
            return HTMLResponse(_BAD_GATEWAY_PAGE, status_code=502)
        forced = self._take_forced_failure(method, path)
        if forced is not None:
            return forced
        matched: tuple[_Handler, re.Match[str], bool] | None = None
        for verb, pattern, fn, public in self._routes:
            if verb != method:
                continue
            match = pattern.fullmatch(path)
            if match is not None:
                matched = (fn, match, public)
                break
        api_key = request.headers.get("api-key")
        api_username = request.headers.get("api-username")
        anonymous = api_key is None and api_username is None
        if not (anonymous and matched is not None and matched[2]):
            if not self._authorized(api_key, api_username):
                return _json({"errors": [_INVALID_ACCESS], "error_type": "invalid_access"}, 403)
            limited = self._take_rate_slot()
            if limited is not None:
                return _json(limited.body, limited.status, limited.headers)
        if matched is None:
            return _json({"errors": [_NOT_FOUND], "error_type": "not_found"}, 404)
        fn, match, _public = matched
        try:
            body = fn(match, params)
        except _HttpError as exc:
            return _json(exc.body, exc.status, exc.headers)
        return _json(body, 200)

    def _authorized(self, api_key: str | None, api_username: str | None) -> bool:
        if api_key is None or api_username is None:
            return False
        key_ok = hmac.compare_digest(api_key.encode(), self.api_key.encode())
        return key_ok and api_username.lower() == self.api_username.lower()

    def _take_rate_slot(self) -> _HttpError | None:
        now = self.clock()
        while self._window and now - self._window[0] >= _WINDOW_SECONDS:
            self._window.popleft()
        if len(self._window) >= self.admin_limit_per_minute:
            self.rate_limited += 1
            wait = max(1, math.ceil(_WINDOW_SECONDS - (now - self._window[0])))
            return _rate_limit_error(wait)
        self._window.append(now)
        return None

    def _take_forced_failure(self, method: str, path: str) -> Response | None:
        for failure in self._failures:
            if failure.times > 0 and failure.method == method and path.startswith(failure.path_prefix):
                failure.times -= 1
                if failure.status == 429:
                    self.rate_limited += 1
                    err = _rate_limit_error(failure.retry_after)
                    return _json(err.body, 429, err.headers)
                if failure.status >= 502:
                    page = _BAD_GATEWAY_PAGE.replace("502 Bad Gateway", f"{failure.status} Error")
                    return HTMLResponse(page, status_code=failure.status)
                if failure.status >= 500:
                    return _json({"status": failure.status, "error": "Internal Server Error"}, failure.status)
                return _json(
                    {"errors": [f"forced failure {failure.status}"], "error_type": "forced"}, failure.status
                )
        return None

    # ------------------------------------------------------------------ endpoints

    def _basic_info(self, match: re.Match[str], params: JSONDict) -> JSONDict:
        return {
            "logo_url": f"{self.base_url}/images/discourse-logo-sketch.png",
            "logo_small_url": f"{self.base_url}/images/discourse-logo-sketch-small.png",
            "apple_touch_icon_url": f"{self.base_url}/images/default-apple-touch-icon.png",
            "favicon_url": f"{self.base_url}/images/default-favicon.ico",
            "title": self.title,
            "description": "A local stand-in for a Discourse forum",
            "header_primary_color": "333333",
            "header_background_color": "ffffff",
            "login_required": False,
            "locale": "en",
            "include_in_discourse_discover": False,
            "mobile_logo_url": "",
        }

    def _admin_badges(self, match: re.Match[str], params: JSONDict) -> JSONDict:
        badges = [self._badge_json(b) for b in sorted(self.badges.values(), key=lambda b: int(b["id"]))]
        return {
            "badges": badges,
            "badge_types": copy.deepcopy(_BADGE_TYPES),
            "badge_groupings": copy.deepcopy(_BADGE_GROUPINGS),
            "admin_badges": {
                "protected_system_fields": [
                    "name",
                    "badge_type_id",
                    "multiple_grant",
                    "target_posts",
                    "show_posts",
                    "query",
                    "trigger",
                    "auto_revoke",
                    "listable",
                ],
                "triggers": {
                    "user_change": 8,
                    "none": 0,
                    "post_revision": 2,
                    "trust_level_change": 4,
                    "post_action": 1,
                },
                "badge_ids": [b["id"] for b in badges],
                "badge_grouping_ids": [g["id"] for g in _BADGE_GROUPINGS],
                "badge_type_ids": [t["id"] for t in _BADGE_TYPES],
            },
        }

    def _grant_badge(self, match: re.Match[str], params: JSONDict) -> JSONDict:
        username = _scalar(params.get("username"))
        if not username:
            raise _param_missing("username")
        user = self._find_user(username)
        if user is None:
            raise _not_found()
        badge = self._badge_from_params(params)
        if badge is None or not badge["enabled"]:
            raise _not_found()
        if not badge["manually_grantable"]:
            raise _HttpError(403, {"failed": "FAILED"})
        post_id: int | None = None
        reason = _scalar(params.get("reason"))
        if reason:
            post_id = self._post_id_from_reason(reason)
            if post_id is None and not self._is_post_or_topic_link(reason):
                raise _HttpError(
                    400, {"failed": "FAILED", "message": "Reason must be a link to a post or topic"}
                )
        granter = self._find_user(self.api_username)
        granter_id = int(granter["id"]) if granter is not None else -1
        existing = None
        if not badge["multiple_grant"]:
            existing = next(
                (
                    ub
                    for ub in self.user_badges
                    if ub["user_id"] == user["id"] and ub["badge_id"] == badge["id"]
                ),
                None,
            )
        if existing is None:
            now = _now_iso()
            existing = {
                "id": self._next_user_badge_id,
                "user_id": user["id"],
                "badge_id": badge["id"],
                "granted_at": now,
                "created_at": now,
                "granted_by_id": granter_id,
                "post_id": post_id,
                "reason": reason or None,
            }
            self._next_user_badge_id += 1
            self.user_badges.append(existing)
            self._emit(
                "user_badge_granted",
                user_badge_payload(
                    existing["id"], badge["id"], user["id"], granter_id, granted_at=now, created_at=now
                ),
            )
        post_number = None
        if existing.get("post_id") is not None:
            post = self._find_post(int(existing["post_id"]))
            post_number = post["post_number"] if post is not None else None
        users = [self._basic_user(user)]
        if granter is not None and granter["id"] != user["id"]:
            users.append(self._basic_user(granter))
        return {
            "badges": [self._badge_json(badge, brief=True)],
            "users": users,
            "user_badge": {
                "id": existing["id"],
                "granted_at": existing["granted_at"],
                "created_at": existing["created_at"],
                "count": 1,
                "post_id": existing.get("post_id"),
                "post_number": post_number,
                "badge_id": existing["badge_id"],
                "user_id": existing["user_id"],
                "granted_by_id": existing["granted_by_id"],
            },
        }

    def _revoke_badge(self, match: re.Match[str], params: JSONDict) -> JSONDict:
        try:
            ub_id = int(match["id"])
        except ValueError as exc:
            raise _not_found() from exc
        for ub in self.user_badges:
            if ub["id"] == ub_id:
                self.user_badges.remove(ub)
                self._emit(
                    "user_badge_revoked",
                    user_badge_payload(
                        ub["id"],
                        ub["badge_id"],
                        ub["user_id"],
                        ub["granted_by_id"],
                        granted_at=ub["granted_at"],
                        created_at=ub["created_at"],
                    ),
                )
                return {"success": "OK"}
        raise _not_found()

    def _badge_holders(self, match: re.Match[str], params: JSONDict) -> JSONDict:
        """GET /user_badges.json?badge_id=N&offset=M: who holds a badge, 96 a page, newest first."""
        badge_id = _scalar(params.get("badge_id"))
        if not badge_id or not badge_id.isdigit() or int(badge_id) not in self.badges:
            raise _not_found()
        offset_raw = _scalar(params.get("offset")) or "0"
        offset = int(offset_raw) if offset_raw.isdigit() else 0
        holders = sorted(
            (ub for ub in self.user_badges if ub["badge_id"] == int(badge_id)), key=lambda ub: -int(ub["id"])
        )
        page = holders[offset : offset + 96]
        user_ids = {ub["user_id"] for ub in page}
        return {
            "badges": [self._badge_json(self.badges[int(badge_id)], brief=True)],
            "users": [self._basic_user(u) for u in self.users.values() if u["id"] in user_ids],
            "user_badge_info": {
                "user_badges": [
                    {
                        "id": ub["id"],
                        "granted_at": ub["granted_at"],
                        "created_at": ub["created_at"],
                        "post_id": ub.get("post_id"),
                        "badge_id": ub["badge_id"],
                        "user_id": ub["user_id"],
                        "granted_by_id": ub["granted_by_id"],
                    }
                    for ub in page
                ],
                "grant_count": len(holders),
            },
        }

    def _list_user_badges(self, match: re.Match[str], params: JSONDict) -> JSONDict:
        user = self._find_user(urllib.parse.unquote(match["username"]))
        if user is None:
            raise _not_found()
        mine = [
            ub for ub in self.user_badges if ub["user_id"] == user["id"] and ub["badge_id"] in self.badges
        ]
        badge_ids = sorted({ub["badge_id"] for ub in mine})
        granter_ids = {ub["granted_by_id"] for ub in mine}
        granters = [self._basic_user(u) for u in self.users.values() if u["id"] in granter_ids]
        return {
            "badges": [self._badge_json(self.badges[b], brief=True) for b in badge_ids],
            "badge_types": copy.deepcopy(_BADGE_TYPES),
            "granted_bies": granters,
            "users": [self._basic_user(user)],
            "user_badges": [
                {
                    "id": ub["id"],
                    "granted_at": ub["granted_at"],
                    "created_at": ub["created_at"],
                    "count": 1,
                    "grouping_position": 500,
                    "is_favorite": None,
                    "can_favorite": False,
                    "post_id": ub.get("post_id"),
                    "badge_id": ub["badge_id"],
                    "user_id": ub["user_id"],
                    "granted_by_id": ub["granted_by_id"],
                }
                for ub in mine
            ],
        }

    def _get_group(self, match: re.Match[str], params: JSONDict) -> JSONDict:
        group = self._find_group(urllib.parse.unquote(match["name"]))
        if group is None:
            raise _not_found()
        return {
            "group": self._group_json(group),
            "extras": {"visible_group_names": sorted(g.name for g in self.groups.values())},
        }

    def _group_members(self, match: re.Match[str], params: JSONDict) -> JSONDict:
        group = self._find_group(urllib.parse.unquote(match["name"]))
        if group is None:
            raise _not_found()
        try:
            offset = int(_scalar(params.get("offset")) or 0)
            limit = int(_scalar(params.get("limit")) or 50)
        except ValueError as exc:
            raise _invalid_params("You supplied invalid parameters to the request: limit") from exc
        if offset < 0:
            raise _invalid_params("You supplied invalid parameters to the request: offset")
        if limit < 0 or limit > 1000:
            raise _invalid_params("You supplied invalid parameters to the request: limit")
        usernames = sorted(group.members, key=str.lower)
        page = usernames[offset : offset + limit]
        return {
            "members": [self._member_json(group, u) for u in page if self._find_user(u) is not None],
            "owners": [
                self._member_json(group, u)
                for u in sorted(group.owners, key=str.lower)
                if self._find_user(u) is not None
            ],
            "meta": {"total": len(usernames), "limit": limit, "offset": offset},
        }

    def _add_members(self, match: re.Match[str], params: JSONDict) -> JSONDict:
        group = self._group_by_id(match["id"])
        users = self._users_from_params(params)
        if not users:
            raise _invalid_params(
                "You supplied invalid parameters to the request: Usernames or emails must be present"
            )
        already = sorted(u["username"] for u in users if u["username"] in group.members)
        if already and len(already) == len(users):
            if len(already) == 1:
                message = f"{already[0]} is already a member of this group."
            else:
                message = f"{', '.join(already)} are already members of this group."
            raise _invalid_params(message, status=422)
        for user in users:
            if user["username"] not in group.members:
                group.members.add(user["username"])
                group.added_at[user["username"]] = _now_iso()
                self._emit(
                    "user_added_to_group",
                    group_user_payload(group.id, int(user["id"]), group_user_id=self._next_group_user_id),
                )
                self._next_group_user_id += 1
        return {"success": "OK", "usernames": [u["username"] for u in users], "emails": []}

    def _add_owners(self, match: re.Match[str], params: JSONDict) -> JSONDict:
        """PUT /admin/groups/{id}/owners.json, body group[usernames]=a,b: owners are members too."""
        group = self._group_by_id(match["id"])
        if group.automatic:
            raise _invalid_params("You cannot modify an automatic group", status=422)
        raw = params.get("group[usernames]", params.get("usernames"))
        users = self._users_from_params({"usernames": raw})
        if not users:
            raise _param_missing("group[usernames]")
        for user in users:
            name = user["username"]
            group.owners.add(name)
            if name not in group.members:
                group.members.add(name)
                group.added_at[name] = _now_iso()
                self._emit(
                    "user_added_to_group",
                    group_user_payload(group.id, int(user["id"]), group_user_id=self._next_group_user_id),
                )
                self._next_group_user_id += 1
        return {"success": "OK", "usernames": [u["username"] for u in users]}

    def _remove_members(self, match: re.Match[str], params: JSONDict) -> JSONDict:
        group = self._group_by_id(match["id"])
        requested = self._requested_usernames(params)
        users = self._users_from_params(params)
        if not users:
            raise _invalid_params(
                "You supplied invalid parameters to the request: Usernames or emails must be present"
            )
        removed: list[str] = []
        skipped: list[str] = []
        for user in users:
            if user["username"] in group.members:
                group.members.discard(user["username"])
                group.owners.discard(user["username"])
                group.added_at.pop(user["username"], None)
                removed.append(user["username"])
                self._emit(
                    "user_removed_from_group",
                    group_user_payload(group.id, int(user["id"]), group_user_id=self._next_group_user_id),
                )
                self._next_group_user_id += 1
            else:
                skipped.append(user["username"])
        known = {u["username"].lower() for u in users}
        skipped.extend(name for name in requested if name.lower() not in known)
        return {"success": "OK", "usernames": removed, "skipped_usernames": skipped}

    def _get_user(self, match: re.Match[str], params: JSONDict) -> JSONDict:
        user = self._find_user(urllib.parse.unquote(match["username"]))
        if user is None:
            raise _not_found()
        return {"user_badges": [], "user": self._user_detail(user)}

    def _admin_get_user(self, match: re.Match[str], params: JSONDict) -> JSONDict:
        user = self._user_by_id(match["id"])
        if user is None:
            raise _not_found()
        detail = self._user_detail(user)
        detail.update(
            {
                "active": user["active"],
                "email": user["email"],
                "secondary_emails": [],
                "last_emailed_at": None,
                "approved": True,
                "suspended_at": None,
                "suspended_till": None,
                "silenced_till": None,
                "can_grant_admin": False,
                "can_revoke_admin": False,
                "can_grant_moderation": False,
                "can_revoke_moderation": False,
                "can_impersonate": False,
                "like_count": 0,
                "like_given_count": 0,
                "topic_count": 0,
                "flags_given_count": 0,
                "flags_received_count": 0,
                "private_topics_count": 0,
                "can_delete_all_posts": False,
                "can_be_deleted": True,
                "can_be_anonymized": True,
                "external_ids": {},
                "api_key_count": 0,
                "single_sign_on_record": None,
                "approved_by": None,
                "penalty_counts": {"silenced": 0, "suspended": 0},
            }
        )
        return detail

    def _create_post(self, match: re.Match[str], params: JSONDict) -> JSONDict:
        raw = _scalar(params.get("raw"))
        if not raw:
            raise _param_missing("raw")
        author = self._find_user(self.api_username)
        if author is None:
            raise _HttpError(403, {"errors": [_INVALID_ACCESS], "error_type": "invalid_access"})
        topic_id_param = _scalar(params.get("topic_id"))
        title = _scalar(params.get("title"))
        archetype = _scalar(params.get("archetype")) or "regular"
        recipients_raw = _scalar(params.get("target_recipients")) or _scalar(params.get("target_usernames"))
        if topic_id_param:
            try:
                topic = self.topics.get(int(topic_id_param))
            except ValueError:
                topic = None
            if topic is None:
                raise _not_found()
            if len(raw.strip()) < self.min_post_length:
                raise _post_error(f"Body is too short (minimum is {self.min_post_length} characters)")
        else:
            is_pm = archetype == "private_message"
            min_title = self.min_pm_title_length if is_pm else self.min_topic_title_length
            errors: list[str] = []
            if not title:
                errors.append("Title can't be blank")
            elif len(title.strip()) < min_title:
                errors.append(f"Title is too short (minimum is {min_title} characters)")
            if len(raw.strip()) < self.min_post_length:
                errors.append(f"Body is too short (minimum is {self.min_post_length} characters)")
            recipients: list[str] = []
            if is_pm:
                names = [n.strip() for n in (recipients_raw or "").split(",") if n.strip()]
                if not names:
                    errors.append("You must select a valid user.")
                for name in names:
                    user = self._find_user(name)
                    group = self._find_group(name)
                    if user is not None:
                        recipients.append(str(user["username"]))
                    elif group is not None:
                        recipients.append(group.name)
                    else:
                        errors.append(f"The user or group {name} could not be found.")
            if errors:
                raise _HttpError(422, {"action": "create_post", "errors": errors})
            category = _scalar(params.get("category"))
            topic = {
                "id": self._next_topic_id,
                "title": title,
                "slug": _slugify(str(title)),
                "archetype": archetype,
                "category_id": int(category) if category and category.isdigit() else (None if is_pm else 4),
                "user_id": author["id"],
                "target_recipients": recipients,
                "posts_count": 0,
                "created_at": _now_iso(),
            }
            self._next_topic_id += 1
            self.topics[int(topic["id"])] = topic
        topic["posts_count"] = int(topic["posts_count"]) + 1
        post = self._make_post(author, topic, raw, params)
        self.posts.append(post)
        self._emit(
            "post_created",
            post_payload(
                post["id"],
                author["username"],
                topic["id"],
                raw,
                post_number=post["post_number"],
                topic_title=str(topic["title"]),
                user_id=int(author["id"]),
                archetype=str(topic["archetype"]),
            ),
        )
        return {k: v for k, v in post.items() if k not in {"title", "archetype", "target_recipients"}}

    def _topic_posts(self, match: re.Match[str], params: JSONDict) -> JSONDict:
        """GET /t/{id}/posts.json: the topic's posts (cooked HTML, no raw, as Discourse sends)."""
        topic = self.topics.get(int(match.group("id")))
        if topic is None:
            raise _not_found()
        posts = [
            {k: v for k, v in p.items() if k != "raw"} for p in self.posts if p["topic_id"] == topic["id"]
        ]
        return {"post_stream": {"posts": posts[-20:]}, "id": topic["id"]}

    def _pms_sent(self, match: re.Match[str], params: JSONDict) -> JSONDict:
        """GET /topics/private-messages-sent/{username}.json: PM topics the user started."""
        user = self._find_user(match.group("username"))
        if user is None:
            raise _not_found()
        topics = [
            {
                "id": t["id"],
                "title": t["title"],
                "slug": t["slug"],
                "archetype": t["archetype"],
                "posts_count": t["posts_count"],
                "created_at": t["created_at"],
            }
            for t in sorted(self.topics.values(), key=lambda t: -int(t["id"]))
            if t["archetype"] == "private_message" and t["user_id"] == user["id"]
        ]
        return {"users": [], "topic_list": {"topics": topics[:30], "per_page": 30}}

    # ------------------------------------------------------------------ internals

    def _emit(self, event_name: str, payload: JSONDict) -> None:
        self.events.append((event_name, payload))
        if self.on_event is not None:
            self.on_event(event_name, payload)

    def _make_post(self, author: JSONDict, topic: JSONDict, raw: str, params: JSONDict) -> JSONDict:
        post_id = self._next_post_id
        self._next_post_id += 1
        now = _now_iso()
        reply_to = _scalar(params.get("reply_to_post_number"))
        post_number = int(topic["posts_count"])
        staff = bool(author["admin"] or author["moderator"])
        return {
            "id": post_id,
            "name": author["name"],
            "username": author["username"],
            "avatar_template": author["avatar_template"],
            "created_at": now,
            "raw": raw,
            "cooked": "<p>" + html.escape(raw).replace("\n\n", "</p>\n<p>") + "</p>",
            "post_number": post_number,
            "post_type": 1,
            "posts_count": int(topic["posts_count"]),
            "updated_at": now,
            "reply_count": 0,
            "reply_to_post_number": int(reply_to) if reply_to and reply_to.isdigit() else None,
            "quote_count": 0,
            "incoming_link_count": 0,
            "reads": 0,
            "readers_count": 0,
            "score": 0,
            "yours": True,
            "topic_id": topic["id"],
            "topic_slug": topic["slug"],
            "display_username": author["name"],
            "primary_group_name": None,
            "flair_name": None,
            "flair_url": None,
            "flair_bg_color": None,
            "flair_color": None,
            "flair_group_id": None,
            "badges_granted": [],
            "version": 1,
            "can_edit": True,
            "can_delete": post_number != 1,
            "can_recover": False,
            "can_see_hidden_post": staff,
            "can_wiki": True,
            "user_title": None,
            "bookmarked": False,
            "actions_summary": [{"id": 3, "can_act": True}, {"id": 4, "can_act": True}],
            "moderator": bool(author["moderator"]),
            "admin": bool(author["admin"]),
            "staff": staff,
            "user_id": author["id"],
            "draft_sequence": 1,
            "hidden": False,
            "trust_level": author["trust_level"],
            "deleted_at": None,
            "user_deleted": False,
            "edit_reason": None,
            "can_view_edit_history": True,
            "wiki": False,
            "reviewable_id": None,
            "reviewable_score_count": 0,
            "reviewable_score_pending_count": 0,
            "post_url": f"/t/{topic['slug']}/{topic['id']}/{post_number}",
            "mentioned_users": [],
            "title": topic["title"],
            "archetype": topic["archetype"],
            "target_recipients": list(topic.get("target_recipients") or []),
        }

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
            raise _not_found() from exc
        group = next((g for g in self.groups.values() if g.id == wanted), None)
        if group is None:
            raise _not_found()
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

    def _same_site(self, url: str) -> urllib.parse.SplitResult | None:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            return None
        if self.base_url:
            ours = urllib.parse.urlsplit(self.base_url)
            if parts.netloc.lower() != ours.netloc.lower():
                return None
        return parts

    def _is_post_or_topic_link(self, reason: str) -> bool:
        parts = self._same_site(reason)
        return parts is not None and re.match(r"^/(t|p)/", parts.path) is not None

    def _post_id_from_reason(self, reason: str) -> int | None:
        parts = self._same_site(reason)
        if parts is None:
            return None
        m = re.match(r"^/p/(\d+)", parts.path)
        if m:
            post = self._find_post(int(m.group(1)))
            return int(post["id"]) if post is not None else None
        m = re.match(r"^/t/(?:[^/]+/)?(\d+)(?:/(\d+))?", parts.path)
        if m:
            topic_id = int(m.group(1))
            number = int(m.group(2)) if m.group(2) else 1
            for post in self.posts:
                if post["topic_id"] == topic_id and post["post_number"] == number:
                    return int(post["id"])
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

    def _badge_json(self, badge: JSONDict, *, brief: bool = False) -> JSONDict:
        out = copy.deepcopy(badge)
        out["grant_count"] = sum(1 for ub in self.user_badges if ub["badge_id"] == badge["id"])
        if brief:
            for key in (
                "long_description",
                "query",
                "trigger",
                "target_posts",
                "auto_revoke",
                "show_posts",
                "i18n_name",
                "image_upload_id",
                "show_in_post_header",
            ):
                out.pop(key, None)
        return out

    def _basic_user(self, user: JSONDict) -> JSONDict:
        return {
            "id": user["id"],
            "username": user["username"],
            "name": user["name"],
            "avatar_template": user["avatar_template"],
            "flair_name": None,
            "admin": user["admin"],
            "moderator": user["moderator"],
            "trust_level": user["trust_level"],
        }

    def _group_summary(self, group: DiscourseGroup) -> JSONDict:
        return {
            "id": group.id,
            "automatic": group.automatic,
            "name": group.name,
            "display_name": group.name,
            "user_count": len(group.members),
            "mentionable_level": 0,
            "messageable_level": 0,
            "visibility_level": 0,
            "primary_group": False,
            "title": None,
            "grant_trust_level": None,
            "incoming_email": None,
            "has_messages": False,
            "flair_url": None,
            "flair_bg_color": None,
            "flair_color": None,
            "bio_raw": None,
            "bio_cooked": None,
            "bio_excerpt": None,
            "public_admission": False,
            "public_exit": False,
            "allow_membership_requests": False,
            "full_name": group.full_name,
            "default_notification_level": 3,
            "membership_request_template": None,
            "members_visibility_level": 0,
            "can_see_members": True,
            "can_admin_group": True,
            "publish_read_state": False,
        }

    def _group_json(self, group: DiscourseGroup) -> JSONDict:
        out = self._group_summary(group)
        out.update(
            {
                "is_group_user": self.api_username in group.members,
                "can_edit_group": True,
                "is_group_owner_display": self.api_username in group.owners,
                "mentionable": True,
                "messageable": True,
                "automatic_membership_email_domains": None,
                "smtp_updated_at": None,
                "smtp_updated_by": None,
                "smtp_enabled": False,
                "smtp_server": None,
                "smtp_port": None,
                "smtp_ssl_mode": None,
                "email_username": None,
                "email_from_alias": None,
                "email_password": None,
                "message_count": 0,
                "allow_unknown_sender_topic_replies": False,
                "associated_group_ids": [],
                "watching_category_ids": [],
                "tracking_category_ids": [],
                "watching_first_post_category_ids": [],
                "regular_category_ids": [],
                "muted_category_ids": [],
                "watching_tags": [],
                "watching_first_post_tags": [],
                "tracking_tags": [],
                "regular_tags": [],
                "muted_tags": [],
            }
        )
        return out

    def _member_json(self, group: DiscourseGroup, username: str) -> JSONDict:
        user = self._find_user(username)
        assert user is not None
        return {
            "id": user["id"],
            "username": user["username"],
            "name": user["name"],
            "avatar_template": user["avatar_template"],
            "title": user["title"],
            "last_posted_at": user["last_posted_at"],
            "last_seen_at": user["last_seen_at"],
            "added_at": group.added_at.get(user["username"], user["created_at"]),
            "timezone": "UTC",
        }

    def _user_detail(self, user: JSONDict) -> JSONDict:
        groups = [self._group_summary(g) for g in self.groups.values() if user["username"] in g.members]
        badge_count = sum(1 for ub in self.user_badges if ub["user_id"] == user["id"])
        post_count = sum(1 for p in self.posts if p["user_id"] == user["id"])
        detail = {
            "id": user["id"],
            "username": user["username"],
            "name": user["name"],
            "avatar_template": user["avatar_template"],
            "last_posted_at": user["last_posted_at"],
            "last_seen_at": user["last_seen_at"],
            "created_at": user["created_at"],
            "ignored": False,
            "muted": False,
            "can_ignore_user": False,
            "can_mute_user": False,
            "can_send_private_messages": True,
            "can_send_private_message_to_user": True,
            "trust_level": user["trust_level"],
            "moderator": user["moderator"],
            "admin": user["admin"],
            "title": user["title"],
            "badge_count": badge_count,
            "time_read": 0,
            "recent_time_read": 0,
            "primary_group_id": None,
            "primary_group_name": None,
            "flair_group_id": None,
            "flair_name": None,
            "flair_url": None,
            "flair_bg_color": None,
            "flair_color": None,
            "featured_topic": None,
            "staged": user["staged"],
            "can_edit": True,
            "can_edit_username": True,
            "can_edit_email": True,
            "can_edit_name": True,
            "uploaded_avatar_id": None,
            "has_title_badges": False,
            "pending_count": 0,
            "pending_posts_count": 0,
            "profile_view_count": 0,
            "second_factor_enabled": False,
            "can_upload_profile_header": True,
            "can_upload_user_card_background": True,
            "post_count": post_count,
            "locale": None,
            "muted_category_ids": [],
            "regular_category_ids": [],
            "watched_tags": [],
            "watching_first_post_tags": [],
            "tracked_tags": [],
            "muted_tags": [],
            "tracked_category_ids": [],
            "watched_category_ids": [],
            "watched_first_post_category_ids": [],
            "system_avatar_template": user["avatar_template"],
            "muted_usernames": [],
            "ignored_usernames": [],
            "allowed_pm_usernames": [],
            "mailing_list_posts_per_day": 0,
            "user_notification_schedule": _notification_schedule(),
            "featured_user_badge_ids": [],
            "invited_by": None,
            "groups": groups,
            "group_users": [
                {"group_id": g["id"], "user_id": user["id"], "notification_level": 3} for g in groups
            ],
        }
        return detail


def _notification_schedule() -> JSONDict:
    schedule: JSONDict = {"enabled": False}
    for day in range(7):
        schedule[f"day_{day}_start_time"] = 480
        schedule[f"day_{day}_end_time"] = 1020
    return schedule


def _json(body: JSONDict, status: int, headers: dict[str, str] | None = None) -> Response:
    return Response(content=_dumps(body), status_code=status, media_type=JSON_CONTENT_TYPE, headers=headers)


def _scalar(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, list):
        return str(value[-1]) if value else None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


async def _read_params(request: Request) -> JSONDict:
    """Query string + body (JSON, form or multipart); ``key[]`` repeated keys become lists."""
    params: JSONDict = {}

    def put(key: str, value: Any) -> None:
        if key.endswith("[]"):
            params.setdefault(key, []).append(value)
        else:
            params[key] = value

    for key, value in request.query_params.multi_items():
        put(key, value)
    if request.method in {"GET", "HEAD"}:
        return params
    body = await request.body()
    if not body.strip():
        return params
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "application/json":
        try:
            data = json.loads(body)
        except ValueError as exc:
            raise _HttpError(
                400, {"errors": ["JSON parse error"], "error_type": "invalid_parameters"}
            ) from exc
        if isinstance(data, dict):
            params.update(data)
    elif content_type == "multipart/form-data":
        form = await request.form()
        for key, item in form.multi_items():
            if isinstance(item, str):
                put(key, item)
    else:
        for key, value in urllib.parse.parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True):
            put(key, value)
    return params


# ---------------------------------------------------------------------- webhook payloads


def event_type_for(event_name: str) -> str:
    """The ``X-Discourse-Event-Type`` (and envelope key) Discourse uses for an event name."""
    if event_name == "ping":
        return "ping"
    if event_name.startswith("user_badge_"):
        return "user_badge"
    if event_name in {"user_added_to_group", "user_removed_from_group"}:
        return "group_user"
    prefixes = [
        ("post_", "post"),
        ("topic_", "topic"),
        ("user_", "user"),
        ("category_", "category"),
        ("tag_", "tag"),
        ("group_", "group"),
        ("reviewable_", "reviewable"),
        ("chat_message_", "chat_message"),
        ("like", "like"),
        ("notification", "notification"),
        ("solved", "solved"),
        ("accepted_solution", "solved"),
        ("unaccepted_solution", "solved"),
    ]
    for prefix, event_type in prefixes:
        if event_name.startswith(prefix):
            return event_type
    raise ValueError(f"unknown Discourse webhook event {event_name!r}")


def post_payload(
    post_id: int,
    username: str,
    topic_id: int,
    raw: str,
    post_number: int = 1,
    topic_title: str = "Welcome to the sandbox forum",
    *,
    user_id: int = 1,
    name: str | None = None,
    category_id: int | None = 4,
    archetype: str = "regular",
    topic_slug: str | None = None,
    reply_to_post_number: int | None = None,
    created_at: str | None = None,
    trust_level: int = 1,
    admin: bool = False,
    moderator: bool = False,
    topic_posts_count: int | None = None,
) -> JSONDict:
    """A ``post`` webhook object in the shape of Discourse 2025.12's WebHookPostSerializer."""
    when = created_at or _now_iso()
    slug = topic_slug or _slugify(topic_title)
    posts_count = topic_posts_count if topic_posts_count is not None else post_number
    return {
        "id": post_id,
        "name": name,
        "username": username,
        "avatar_template": _avatar(username),
        "created_at": when,
        "cooked": "<p>" + html.escape(raw) + "</p>",
        "post_number": post_number,
        "post_type": 1,
        "posts_count": posts_count,
        "updated_at": when,
        "reply_count": 0,
        "reply_to_post_number": reply_to_post_number,
        "quote_count": 0,
        "incoming_link_count": 0,
        "reads": 0,
        "score": 0,
        "topic_id": topic_id,
        "topic_slug": slug,
        "topic_title": topic_title,
        "category_id": category_id,
        "display_username": name,
        "primary_group_name": None,
        "flair_name": None,
        "flair_group_id": None,
        "version": 1,
        "user_title": None,
        "bookmarked": False,
        "raw": raw,
        "moderator": moderator,
        "admin": admin,
        "staff": admin or moderator,
        "user_id": user_id,
        "hidden": False,
        "trust_level": trust_level,
        "deleted_at": None,
        "user_deleted": False,
        "edit_reason": None,
        "wiki": False,
        "reviewable_id": None,
        "reviewable_score_count": 0,
        "reviewable_score_pending_count": 0,
        "post_url": f"/t/{slug}/{topic_id}/{post_number}",
        "topic_posts_count": posts_count,
        "topic_filtered_posts_count": posts_count,
        "topic_archetype": archetype,
        "category_slug": f"{category_id}-category" if category_id is not None else None,
        "can_accept_answer": False,
        "can_unaccept_answer": False,
        "accepted_answer": False,
        "topic_accepted_answer": None,
        "can_vote": False,
    }


def topic_payload(
    topic_id: int,
    title: str,
    user_id: int,
    username: str,
    *,
    name: str | None = None,
    archetype: str = "regular",
    category_id: int | None = 4,
    posts_count: int = 1,
    tags: list[str] | None = None,
    created_at: str | None = None,
) -> JSONDict:
    """A ``topic`` webhook object in the shape of Discourse 2025.12's WebHookTopicViewSerializer."""
    when = created_at or _now_iso()
    person = {"id": user_id, "username": username, "name": name, "avatar_template": _avatar(username)}
    return {
        "tags": list(tags or []),
        "tags_descriptions": {},
        "fancy_title": html.escape(title),
        "id": topic_id,
        "title": title,
        "posts_count": posts_count,
        "created_at": when,
        "views": 0,
        "reply_count": 0,
        "like_count": 0,
        "last_posted_at": when,
        "visible": True,
        "closed": False,
        "archived": False,
        "archetype": archetype,
        "slug": _slugify(title),
        "category_id": category_id,
        "word_count": 0,
        "deleted_at": None,
        "user_id": user_id,
        "featured_link": None,
        "pinned_globally": False,
        "pinned_at": None,
        "pinned_until": None,
        "unpinned": None,
        "pinned": False,
        "highest_post_number": posts_count,
        "deleted_by": None,
        "has_deleted": False,
        "bookmarked": False,
        "participant_count": 1,
        "queued_posts_count": 0,
        "thumbnails": None,
        "created_by": dict(person),
        "last_poster": dict(person),
        "can_vote": False,
        "vote_count": 0,
        "user_voted": False,
        "pending_posts": [],
    }


def user_badge_payload(
    user_badge_id: int,
    badge_id: int,
    user_id: int,
    granted_by_id: int = -1,
    *,
    granted_at: str | None = None,
    created_at: str | None = None,
    post_id: int | None = None,
    post_number: int | None = None,
) -> JSONDict:
    """A ``user_badge`` webhook object (UserBadgeSerializer, as captured from 2025.12)."""
    when = granted_at or _now_iso()
    payload: JSONDict = {"id": user_badge_id, "granted_at": when, "created_at": created_at or when}
    if post_id is not None:  # only present when the badge shows posts
        payload["post_id"] = post_id
        payload["post_number"] = post_number
    payload.update({"badge_id": badge_id, "user_id": user_id, "granted_by_id": granted_by_id})
    return payload


def group_user_payload(
    group_id: int,
    user_id: int,
    *,
    group_user_id: int | None = None,
    notification_level: int = 3,
    created_at: str | None = None,
) -> JSONDict:
    """A ``group_user`` webhook object (WebHookGroupUserSerializer)."""
    return {
        "group_id": group_id,
        "user_id": user_id,
        "notification_level": notification_level,
        "id": group_user_id if group_user_id is not None else user_id * 1000 + group_id,
        "created_at": created_at or _now_iso(),
    }


def _trust_level_group(group_id: int, level: int) -> JSONDict:
    return {
        "id": group_id,
        "automatic": True,
        "name": f"trust_level_{level}",
        "display_name": f"trust_level_{level}",
        "user_count": 3,
        "mentionable_level": 0,
        "messageable_level": 0,
        "visibility_level": 1,
        "primary_group": False,
        "title": None,
        "grant_trust_level": None,
        "incoming_email": None,
        "has_messages": False,
        "flair_url": None,
        "flair_bg_color": None,
        "flair_color": None,
        "bio_raw": None,
        "bio_cooked": f"Members at trust level {level}",
        "bio_excerpt": f"Members at trust level {level}",
        "public_admission": False,
        "public_exit": False,
        "allow_membership_requests": False,
        "full_name": None,
        "default_notification_level": 3,
        "membership_request_template": None,
        "members_visibility_level": 0,
        "can_see_members": True,
        "can_admin_group": True,
        "publish_read_state": False,
    }


def user_payload(
    user_id: int,
    username: str,
    name: str | None,
    email: str,
    *,
    trust_level: int = 1,
    created_at: str | None = None,
    locale: str = "en",
    admin: bool = False,
    moderator: bool = False,
) -> JSONDict:
    """A ``user`` webhook object in the shape of Discourse 2025.12's WebHookUserSerializer (admin scope)."""
    avatar = _avatar(username)
    return {
        "id": user_id,
        "username": username,
        "name": name,
        "avatar_template": avatar,
        "email": email,
        "secondary_emails": [],
        "last_posted_at": None,
        "last_seen_at": None,
        "created_at": created_at or _now_iso(),
        "muted": False,
        "trust_level": trust_level,
        "moderator": moderator,
        "admin": admin,
        "title": None,
        "badge_count": 0,
        "time_read": 0,
        "recent_time_read": 0,
        "primary_group_id": None,
        "primary_group_name": None,
        "flair_group_id": None,
        "flair_name": None,
        "flair_url": None,
        "flair_bg_color": None,
        "flair_color": None,
        "featured_topic": None,
        "staged": False,
        "pending_count": 0,
        "profile_view_count": 0,
        "second_factor_enabled": False,
        "can_upload_profile_header": True,
        "can_upload_user_card_background": True,
        "post_count": 0,
        "locale": locale,
        "muted_category_ids": [],
        "regular_category_ids": [],
        "watched_tags": [],
        "watching_first_post_tags": [],
        "tracked_tags": [],
        "muted_tags": [],
        "tracked_category_ids": [],
        "watched_category_ids": [],
        "watched_first_post_category_ids": [],
        "system_avatar_template": avatar,
        "muted_usernames": [],
        "can_mute_users": True,
        "ignored_usernames": [],
        "can_ignore_users": True,
        "allowed_pm_usernames": [],
        "mailing_list_posts_per_day": 0,
        "user_notification_schedule": _notification_schedule(),
        "can_chat_user": True,
        "accepted_answers": 0,
        "featured_user_badge_ids": [],
        "invited_by": None,
        "groups": [_trust_level_group(10 + level, level) for level in range(trust_level + 1)],
        "user_option": {
            "user_id": user_id,
            "mailing_list_mode": False,
            "mailing_list_mode_frequency": 1,
            "email_digests": True,
            "email_level": 1,
            "email_messages_level": 0,
            "external_links_in_new_tab": False,
            "color_scheme_id": None,
            "dark_scheme_id": None,
            "dynamic_favicon": False,
            "enable_quoting": True,
            "enable_smart_lists": True,
            "enable_defer": False,
            "enable_markdown_monospace_font": True,
            "digest_after_minutes": 1440,
            "automatically_unpin_topics": True,
            "auto_track_topics_after_msecs": 300000,
            "notification_level_when_replying": 2,
            "new_topic_duration_minutes": 2880,
            "email_previous_replies": 2,
            "email_in_reply_to": False,
            "like_notification_frequency": 1,
            "notify_on_linked_posts": True,
            "include_tl0_in_digests": False,
            "theme_ids": [-2],
            "theme_key_seq": 0,
            "allow_private_messages": True,
            "enable_allowed_pm_users": False,
            "homepage_id": None,
            "hide_profile_and_presence": False,
            "hide_profile": False,
            "hide_presence": False,
            "text_size": "normal",
            "text_size_seq": 0,
            "title_count_mode": "notifications",
            "bookmark_auto_delete_preference": 3,
            "timezone": None,
            "skip_new_user_tips": False,
            "default_calendar": "none_selected",
            "oldest_search_log_date": None,
            "seen_popups": None,
            "sidebar_link_to_filtered_list": False,
            "sidebar_show_count_of_new_items": False,
            "watched_precedence_over_muted": False,
            "topics_unread_when_closed": True,
            "composition_mode": 1,
            "interface_color_mode": 1,
            "chat_enabled": True,
            "only_chat_push_notifications": None,
            "ignore_channel_wide_mention": None,
            "show_thread_title_prompts": True,
            "chat_email_frequency": "when_away",
            "chat_header_indicator_preference": "all_new",
            "chat_separate_sidebar_mode": "default",
            "chat_send_shortcut": "enter",
            "chat_quick_reaction_type": "frequent",
            "chat_quick_reactions_custom": None,
        },
    }


# ---------------------------------------------------------------------- the actor


class DiscourseActor:
    """Plays Discourse delivering webhooks to the bot's ``/discourse/webhooks``."""

    post_payload = staticmethod(post_payload)
    topic_payload = staticmethod(topic_payload)
    user_badge_payload = staticmethod(user_badge_payload)
    group_user_payload = staticmethod(group_user_payload)
    user_payload = staticmethod(user_payload)

    def __init__(
        self,
        bot_url: str,
        secret: str | None,
        instance_url: str = "http://forum.sandbox",
        http: httpx.AsyncClient | None = None,
        *,
        first_event_id: int = 1,
    ) -> None:
        self.bot_url = bot_url.rstrip("/")
        self.secret = secret
        self.instance_url = instance_url
        self._own_http = http is None
        self.http = http if http is not None else httpx.AsyncClient(timeout=30.0)
        self.next_event_id = first_event_id
        self.last_sent: tuple[bytes, dict[str, str]] | None = None

    async def aclose(self) -> None:
        if self._own_http:
            await self.http.aclose()

    async def __aenter__(self) -> DiscourseActor:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    @property
    def webhook_url(self) -> str:
        return f"{self.bot_url}/discourse/webhooks"

    def signature(self, body: bytes) -> str:
        if self.secret is None:
            raise ValueError("this actor has no webhook secret")
        return "sha256=" + hmac.new(self.secret.encode("utf-8"), body, hashlib.sha256).hexdigest()

    def build(
        self,
        event_name: str,
        payload: JSONDict,
        event_id: int | None = None,
        signature_override: str | None = None,
    ) -> tuple[bytes, dict[str, str]]:
        """The exact body bytes and headers Discourse would send for this event."""
        event_type = event_type_for(event_name)
        envelope: JSONDict = {"ping": "OK"} if event_type == "ping" else {event_type: payload}
        body = _dumps(envelope)
        if event_id is None:
            event_id = self.next_event_id
            self.next_event_id += 1
        headers = {
            "Accept": "*/*",
            "Connection": "close",
            "Content-Type": "application/json",
            "User-Agent": DISCOURSE_USER_AGENT,
            "X-Discourse-Instance": self.instance_url,
            "X-Discourse-Event-Id": str(event_id),
            "X-Discourse-Event-Type": event_type,
            "X-Discourse-Event": event_name,
        }
        if signature_override is not None:
            headers["X-Discourse-Event-Signature"] = signature_override
        elif self.secret:
            headers["X-Discourse-Event-Signature"] = self.signature(body)
        return body, headers

    async def send(
        self,
        event_name: str,
        payload: JSONDict,
        event_id: int | None = None,
        signature_override: str | None = None,
    ) -> httpx.Response:
        """Deliver one webhook; ``payload`` is the inner object (e.g. from ``post_payload``)."""
        body, headers = self.build(event_name, payload, event_id, signature_override)
        return await self.send_raw(body, headers)

    async def ping(self) -> httpx.Response:
        return await self.send("ping", {})

    async def send_raw(self, body: bytes, headers: dict[str, str]) -> httpx.Response:
        self.last_sent = (body, dict(headers))
        return await self.http.post(self.webhook_url, content=body, headers=headers)

    async def redeliver(self) -> httpx.Response:
        """Send the last delivery again, byte for byte (Discourse's "Redeliver" keeps id and signature)."""
        if self.last_sent is None:
            raise ValueError("nothing was sent yet")
        body, headers = self.last_sent
        return await self.send_raw(body, headers)
