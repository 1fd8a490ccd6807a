"""The Discourse stand-in: a real-HTTP server answering the REST endpoints the bot uses.

Answers have Discourse's payload shapes and failure modes: ``Api-Key``/``Api-Username`` auth (403
``invalid_access``), the single site-wide admin API rate limit (429 + ``Retry-After`` +
``extras.wait_seconds``, ApplicationController#render_rate_limit_error), validation errors
(400/404/422, ``{"errors": [...], "error_type": ...}``) in the site's ``locale``, and outages
(502 HTML page). Successes carry ``Content-Type: application/json; charset=utf-8`` exactly, which
pydiscourse insists on. Every request is recorded in ``calls``.

The endpoints live in the ``routes_*`` modules, per area; the payload builders in
``serializers``; the data and shared look-ups in ``state``.
"""

from __future__ import annotations

import collections
import hmac
import math
import re
from collections.abc import Callable
from dataclasses import dataclass

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from bot.sandbox.discourse.i18n import translate
from bot.sandbox.discourse.routes_admin import AdminRoutes
from bot.sandbox.discourse.routes_badges import BadgeRoutes
from bot.sandbox.discourse.routes_groups import GroupRoutes
from bot.sandbox.discourse.routes_post_edit import PostEditRoutes
from bot.sandbox.discourse.routes_site import SiteRoutes
from bot.sandbox.discourse.routes_users import UserRoutes
from bot.sandbox.discourse.wire import JSONDict, _HttpError, _json, _read_params
from bot.sandbox.faults import Faults, ForcedFailure, Hang, Storm, StormStatus
from bot.sandbox.http import ServedStandIn

_WINDOW_SECONDS = 60.0
_BAD_GATEWAY_PAGE = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)


def _rate_limit_error(wait: int, locale: str) -> _HttpError:
    """ApplicationController#render_rate_limit_error: 429, ``Retry-After`` and the limiter's
    error code as headers; ``error_type: rate_limit`` and ``extras.wait_seconds`` in the body."""
    time_left = translate(locale, "seconds", count=wait)
    return _HttpError(
        429,
        {
            "errors": [translate(locale, "rate_limiter.too_many_requests", time_left=time_left)],
            "error_type": "rate_limit",
            "extras": {"wait_seconds": wait, "time_left": time_left},
        },
        {"Retry-After": str(wait), "Discourse-Rate-Limit-Error-Code": "admin_api_key_rate_limit"},
    )


_Handler = Callable[[re.Match[str], JSONDict], JSONDict | list[JSONDict]]


@dataclass(eq=False)
class DiscourseStandIn(
    ServedStandIn, SiteRoutes, BadgeRoutes, GroupRoutes, UserRoutes, PostEditRoutes, AdminRoutes
):
    """Discourse REST API stand-in. Serve ``.app``; use ``DiscourseClient(host=url, ...)``."""

    def __post_init__(self) -> None:
        self._window: collections.deque[float] = collections.deque()
        self.faults = Faults(self.clock)
        super().__post_init__()
        routes: list[tuple[str, str, _Handler, bool]] = [
            ("GET", r"/site/basic-info(?:\.json)?", self._basic_info, True),
            ("GET", r"/admin/badges(?:\.json)?", self._admin_badges, False),
            ("POST", r"/admin/badges(?:\.json)?", self._create_badge, False),
            ("PUT", r"/admin/badges/(?P<id>[^/]+?)(?:\.json)?", self._update_badge, False),
            ("POST", r"/admin/groups(?:\.json)?", self._create_group, False),
            ("GET", r"/admin/api/web_hooks(?:\.json)?", self._list_web_hooks, False),
            ("POST", r"/admin/api/web_hooks(?:\.json)?", self._create_web_hook, False),
            ("GET", r"/admin/api/web_hooks/(?P<id>\d+)(?:\.json)?", self._show_web_hook, False),
            ("PUT", r"/admin/api/web_hooks/(?P<id>\d+)(?:\.json)?", self._update_web_hook, False),
            ("POST", r"/user_badges(?:\.json)?", self._grant_badge, False),
            ("GET", r"/user_badges(?:\.json)?", self._badge_holders, False),
            ("DELETE", r"/user_badges/(?P<id>[^/]+?)(?:\.json)?", self._revoke_badge, False),
            ("GET", r"/user-badges/(?P<username>[^/]+?)(?:\.json)?", self._list_user_badges, False),
            ("GET", r"/groups/(?P<name>[^/]+?)/members(?:\.json)?", self._group_members, False),
            ("PUT", r"/groups/(?P<id>[^/]+?)/members(?:\.json)?", self._add_members, False),
            ("DELETE", r"/groups/(?P<id>[^/]+?)/members(?:\.json)?", self._remove_members, False),
            ("PUT", r"/admin/groups/(?P<id>[^/]+?)/owners(?:\.json)?", self._add_owners, False),
            ("GET", r"/groups/(?P<name>[^/]+?)(?:\.json)?", self._get_group, False),
            ("GET", r"/admin/users/list/(?P<query>[^/]+?)(?:\.json)?", self._admin_list_users, False),
            ("GET", r"/admin/users/(?P<id>[^/]+?)(?:\.json)?", self._admin_get_user, False),
            ("GET", r"/(?:users|u)/(?P<username>[^/]+?)(?:\.json)?", self._get_user, False),
            ("POST", r"/posts(?:\.json)?", self._create_post, False),
            ("PUT", r"/posts/(?P<id>\d+)(?:\.json)?", self._update_post, False),
            ("GET", r"/t/(?P<id>\d+)/posts(?:\.json)?", self._topic_posts, False),
            ("GET", r"/t/(?P<id>\d+)(?:\.json)?", self._topic_show, False),
            ("GET", r"/t/(?P<slug>[^/]+)/(?P<id>\d+)(?:\.json)?", self._topic_show, False),
            ("GET", r"/topics/private-messages-sent/(?P<username>[^/]+?)(?:\.json)?", self._pms_sent, False),
            ("GET", r"/topics/created-by/(?P<username>[^/]+?)(?:\.json)?", self._topics_created_by, False),
        ]
        self._routes = [(verb, re.compile(pattern), fn, public) for verb, pattern, fn, public in routes]
        self._app = Starlette(
            routes=[Route("/{path:path}", self._handle, methods=["GET", "POST", "PUT", "DELETE", "PATCH"])]
        )

    def fail_next(
        self, method: str, path_prefix: str, times: int = 1, status: int = 500, retry_after: int = 5
    ) -> None:
        """Force the next ``times`` requests ``method path_prefix*`` to fail with ``status``."""
        self.faults.arm(ForcedFailure(method.upper(), path_prefix, times, status, retry_after))

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
        return self.faults.arm(Hang(method.upper(), path_prefix, times, seconds, after_effect))

    def calls_to(self, method: str, path_prefix: str) -> list[tuple[str, str, JSONDict, int]]:
        return [c for c in self.calls if c[0] == method.upper() and c[1].startswith(path_prefix)]

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
        return self._failure_response(storm.status, storm.retry_after, forced=False)

    def _failure_response(self, status: int, retry_after: int, *, forced: bool) -> Response:
        """A storm's or a forced failure's answer: the admin API rate limit (429), nginx's gateway
        page (502 and up, the proxy in front of Discourse) or Rails' JSON error."""
        if status == 429:
            self.rate_limited += 1
            err = _rate_limit_error(retry_after, self.locale)
            return _json(err.body, 429, err.headers)
        if status >= 502:
            page = _BAD_GATEWAY_PAGE.replace("502 Bad Gateway", f"{status} Error")
            return HTMLResponse(page, status_code=status)
        if status >= 500 or not forced:
            return _json({"status": status, "error": "Internal Server Error"}, status)
        return _json({"errors": [f"forced failure {status}"], "error_type": "forced"}, status)

    def _dispatch(self, request: Request, method: str, path: str, params: JSONDict) -> Response:
        if self.down:
            return HTMLResponse(_BAD_GATEWAY_PAGE, status_code=502)
        forced = self.faults.take_failure(method, path)
        if forced is not None:
            return self._failure_response(forced.status, forced.retry_after, forced=True)
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
                denied = self._invalid_access()
                return _json(denied.body, denied.status)
            limited = self._take_rate_slot()
            if limited is not None:
                return _json(limited.body, limited.status, limited.headers)
        if matched is None:
            missing = self._not_found()
            return _json(missing.body, missing.status)
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
            return _rate_limit_error(wait, self.locale)
        self._window.append(now)
        return None
