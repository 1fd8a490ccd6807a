"""The routes of the public pages (GET and HEAD): /program, /program/ambassadors (?q= searches),
/program/groups, /program/events (?tz=), their static files under /program/static/, and a 404
page for anything else under /program. With `[web] public_pages = false` every one is a 404.

Every answer is HTML with a strict Content-Security-Policy (no inline script or style: the pages
need none), a cache validator (bot/web/cache.py) and never a traceback: a database that does not
answer is a 503 page."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from importlib import resources
from typing import TypeVar

from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bot.config import Settings
from bot.program.errors import InvalidInput
from bot.program.public import directory as public_directory
from bot.program.public import pages
from bot.runtime import Runtime
from bot.web import cache
from bot.web.render import directory_page, page
from storage.uow import UnitOfWork

log = logging.getLogger("ambassador_bot.web")

MAX_QUERY = 200  # characters of ?q= used (find uses at most 10 words)
UPCOMING_DAYS = 90
UPCOMING_EVENTS = 50
ON_LANDING = 5  # events on /program

SECURITY = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
_K = TypeVar("_K")
HTML = "text/html; charset=utf-8"
STATIC = {"style.css": "text/css; charset=utf-8", "times.js": "text/javascript; charset=utf-8"}


def _runtime(request: Request) -> Runtime:
    rt = request.app.state.runtime
    assert isinstance(rt, Runtime)
    return rt


def _kept(request: Request, name: str, kind: type[_K]) -> _K:
    """One `kind` per app, made at first use and kept on the app's state."""
    state = request.app.state
    found = getattr(state, name, None)
    if not isinstance(found, kind):
        found = kind()
        setattr(state, name, found)
    return found


def _freshness(request: Request) -> cache.Freshness:
    return _kept(request, "public_freshness", cache.Freshness)


def _bodies(request: Request) -> cache.Bodies:
    return _kept(request, "public_bodies", cache.Bodies)


def _html(body: str, status: int = 200, extra: dict[str, str] | None = None) -> Response:
    return Response(body, status_code=status, media_type=HTML, headers={**SECURITY, **(extra or {})})


def _cached(request: Request, tag: str, body: Callable[[], str]) -> Response:
    """200 with the body, or 304 when the visitor's copy (by ETag or date) is current."""
    rt = _runtime(request)
    modified = _freshness(request).last_modified(tag, rt.clock.now())
    headers = cache.headers(tag, modified)
    if cache.not_modified(
        request.headers.get("if-none-match"), request.headers.get("if-modified-since"), tag, modified
    ):
        return Response(status_code=304, headers={**SECURITY, **headers})
    return _html(body(), extra=headers)


def not_found_page(settings: Settings) -> str:
    return page(settings, "not_found.html", "", "Page not found")


Endpoint = Callable[[Request], Awaitable[Response]]


def _public(endpoint: Endpoint) -> Endpoint:
    """A page: 404 when the pages are off; 503 (not 500) when the database does not answer."""

    async def wrapped(request: Request) -> Response:
        rt = _runtime(request)
        if not rt.settings.web.public_pages:
            return _html(not_found_page(rt.settings), 404)
        try:
            return await endpoint(request)
        except (DBAPIError, PoolTimeout, OSError) as err:
            log.warning("public page %s: database unavailable (%s)", endpoint.__name__, type(err).__name__)
            body = page(rt.settings, "unavailable.html", "", "Temporarily unavailable")
            return _html(body, 503, {"Retry-After": "30"})

    wrapped.__name__ = wrapped.__qualname__ = endpoint.__name__
    wrapped.__doc__ = endpoint.__doc__
    return wrapped


def _seed(settings: Settings) -> tuple[object, ...]:
    """What the pages show besides the database: a config change (after a restart) changes ETags."""
    return (
        settings.program.name,
        settings.web.model_dump_json(),
        settings.discourse.url,
        settings.server.public_url,
    )


@_public
async def landing(request: Request) -> Response:
    rt = _runtime(request)
    settings = rt.settings
    occurrences = await rt.services.events.upcoming(days=UPCOMING_DAYS, limit=ON_LANDING)
    events = pages.events_page(occurrences, settings.web.timezone)
    body = page(
        settings,
        "program.html",
        "program",
        settings.program.name,
        info=pages.program_info(settings),
        events=events,
    )
    return _cached(request, cache.etag("program", body), lambda: body)


@_public
async def ambassadors(request: Request) -> Response:
    """The directory (searched with ?q=). Its ETag comes from the directory's version (one cheap
    query), so a current copy (304) or a page rendered before for that version costs no more."""
    rt = _runtime(request)
    settings = rt.settings
    q = (request.query_params.get("q") or "")[:MAX_QUERY]
    async with rt.uow() as uow:
        version = await uow.public.version()
        tag = cache.etag("ambassadors", _seed(settings), version, q)
        bodies = _bodies(request)
        known = bodies.get(tag)
        fresh = cache.not_modified(request.headers.get("if-none-match"), None, tag, rt.clock.now())
        found = None if fresh or known is not None else await _directory(uow, settings, q)

    def body() -> str:
        if known is not None:
            return known
        assert found is not None
        listing, problem = found
        text = directory_page(settings, listing, q, problem)
        bodies.put(tag, text)
        return text

    return _cached(request, tag, body)


async def _directory(
    uow: UnitOfWork, settings: Settings, q: str
) -> tuple[public_directory.PublicDirectory, str | None]:
    """Everyone listed, or those `q` matches; with a note when `q` has no word to search for."""
    if not q.strip():
        return await public_directory.directory(uow, settings), None
    try:
        return await public_directory.directory(uow, settings, q), None
    except InvalidInput as err:  # no word of two letters: say so, and show everyone
        return await public_directory.directory(uow, settings), err.message


@_public
async def groups(request: Request) -> Response:
    rt = _runtime(request)
    async with rt.uow() as uow:
        rows = await uow.public.groups()
    data = pages.groups_page(rows)
    body = page(
        rt.settings,
        "groups.html",
        "groups",
        "User groups",
        page=data,
        width=pages.MAP_WIDTH,
        height=pages.MAP_HEIGHT,
    )
    return _cached(request, cache.etag("groups", body), lambda: body)


@_public
async def events(request: Request) -> Response:
    rt = _runtime(request)
    settings = rt.settings
    tz, unknown = pages.page_timezone(settings, request.query_params.get("tz"))
    occurrences = await rt.services.events.upcoming(days=UPCOMING_DAYS, limit=UPCOMING_EVENTS)
    data = pages.events_page(occurrences, tz, unknown)
    body = page(
        settings,
        "events.html",
        "events",
        "Events",
        page=data,
        chosen=request.query_params.get("tz") is not None and unknown is None,
        calendar_url=pages.program_info(settings).calendar_url,
    )
    return _cached(request, cache.etag("events", body), lambda: body)


@_public
async def not_found(request: Request) -> Response:
    return _html(not_found_page(_runtime(request).settings), 404)


@_public
async def static(request: Request) -> Response:
    name = str(request.path_params.get("name", ""))
    kind = STATIC.get(name)
    if kind is None:
        return _html(not_found_page(_runtime(request).settings), 404)
    data = resources.files("bot.web").joinpath("static", name).read_bytes()
    tag = cache.etag("static", data)
    rt = _runtime(request)
    modified = _freshness(request).last_modified(tag, rt.clock.now())
    headers = {**SECURITY, **cache.headers(tag, modified), "Cache-Control": "public, max-age=3600"}
    if cache.not_modified(
        request.headers.get("if-none-match"), request.headers.get("if-modified-since"), tag, modified
    ):
        return Response(status_code=304, headers=headers)
    return Response(data, media_type=kind, headers=headers)


def routes() -> list[BaseRoute]:
    """The public pages' routes, for bot/server.py (GET; Starlette answers HEAD from GET)."""
    return [
        Route("/program", landing, methods=["GET"]),
        Route("/program/", landing, methods=["GET"]),
        Route("/program/ambassadors", ambassadors, methods=["GET"]),
        Route("/program/groups", groups, methods=["GET"]),
        Route("/program/events", events, methods=["GET"]),
        Route("/program/static/{name}", static, methods=["GET"]),
        Route("/program/{rest:path}", not_found, methods=["GET", "POST", "PUT", "DELETE", "PATCH"]),
    ]
