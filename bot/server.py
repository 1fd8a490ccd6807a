"""HTTP routes (Starlette): Slack, Discourse webhooks, health. Dependencies come from the lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import hmac
import logging
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST
from slack_bolt.adapter.starlette.async_handler import to_starlette_response
from slack_bolt.request.async_request import AsyncBoltRequest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.config import Settings
from bot.logs import Throttled
from bot.metrics import Metrics, MetricsMiddleware
from bot.platforms.discourse import inbound as discourse_in
from bot.platforms.slack import inbound as slack_in
from bot.platforms.slack.parse import parse as parse_slack
from bot.platforms.slack.socket import AppTokenRefused
from bot.program.ports import Clock
from bot.runtime import Runtime, build_runtime
from bot.web import routes as public_pages
from handlers.discourse import handle_webhook
from handlers.slack.context import INBOUND_KEY, SERVICES_KEY
from storage import migrate

log = logging.getLogger("ambassador_bot.server")

MAX_BODY = 1_000_000  # Slack and Discourse payloads are far smaller; anything bigger is refused.
BODY_TIMEOUT = 4.0  # seconds to receive a body (Slack and Discourse send theirs at once)
MAX_BODY_MESSAGES = 2048  # ASGI body messages per request (uvicorn merges what it has read)
_DIGITS = re.compile(r"[0-9]{1,9}")


def _runtime(request: Request) -> Runtime:
    rt = request.state.runtime
    assert isinstance(rt, Runtime)
    return rt


def _refuse(request: Request, status: int, reason: str, size: int) -> Response:
    """The answer to a request the bot will not act on, and its one (throttled) log line: route,
    reason, size and client, never the body or a header's value."""
    client = request.client.host if request.client else "?"
    refusals: Throttled = request.app.state.refusals
    refusals.log(
        logging.INFO,
        "refused %s %s from %s: %d %s (%d bytes)",
        request.method,
        request.url.path,
        client,
        status,
        reason,
        size,
    )
    headers = {"connection": "close"} if status in (408, 413) else None
    return JSONResponse({"error": reason}, status_code=status, headers=headers)


class _BodyRefused(Exception):
    def __init__(self, status: int, reason: str, size: int) -> None:
        super().__init__(reason)
        self.status, self.reason, self.size = status, reason, size


async def _read(request: Request) -> bytes:
    body = bytearray()
    messages = 0
    async for chunk in request.stream():
        messages += 1
        body += chunk
        if len(body) > MAX_BODY:
            raise _BodyRefused(413, "request body too large", len(body))
        if messages > MAX_BODY_MESSAGES:
            raise _BodyRefused(413, "request body sent in too many pieces", len(body))
    return bytes(body)


async def _body(request: Request) -> bytes:
    """The raw body, within a size cap and a deadline; `_BodyRefused` otherwise."""
    length = request.headers.get("content-length")
    if length is not None and (not _DIGITS.fullmatch(length) or int(length) > MAX_BODY):
        raise _BodyRefused(413, "request body too large (or a malformed Content-Length)", 0)
    try:
        async with asyncio.timeout(BODY_TIMEOUT):
            return await _read(request)
    except TimeoutError:
        raise _BodyRefused(408, "request body not received in time", 0) from None
    except ClientDisconnect:
        raise _BodyRefused(400, "client went away", 0) from None


BodyRoute = Callable[[Request, Runtime, bytes], Awaitable[Response]]


def _with_body(route: BodyRoute) -> Callable[[Request], Awaitable[Response]]:
    """A route that needs the raw body (to check its signature): read within the caps first."""

    async def endpoint(request: Request) -> Response:
        rt = _runtime(request)
        try:
            raw = await _body(request)
        except _BodyRefused as err:
            return _refuse(request, err.status, err.reason, err.size)
        return await route(request, rt, raw)

    endpoint.__name__ = endpoint.__qualname__ = route.__name__
    endpoint.__doc__ = route.__doc__
    return endpoint


@_with_body
async def slack_events(request: Request, rt: Runtime, raw: bytes) -> Response:
    """Verify the signature on the raw bytes, decode and parse strictly, then let Bolt dispatch."""
    if rt.settings.slack.socket_mode:
        # Slack delivers over the Socket Mode connection; an empty signing secret (allowed then)
        # must never turn the check off, so this route takes nothing at all.
        return _refuse(request, 404, "Slack is connected over Socket Mode; this route is off", len(raw))
    problem = slack_in.verify(
        rt.settings.slack.signing_secret,
        raw,
        request.headers.get("x-slack-request-timestamp"),
        request.headers.get("x-slack-signature"),
        time.time(),
    )
    if problem is not None:
        return _refuse(request, 401, problem, len(raw))
    try:
        text, payload = slack_in.decode(raw, slack_in.content_type(request.headers.get("content-type")))
        parsed = parse_slack(payload)
    except slack_in.Malformed as err:
        return _refuse(request, 400, str(err), len(raw))
    bolt_request = AsyncBoltRequest(
        body=text,
        query=request.url.query,
        headers=dict(request.headers),
        context={SERVICES_KEY: rt.services, INBOUND_KEY: parsed},
    )
    return to_starlette_response(await rt.bolt.async_dispatch(bolt_request))


@_with_body
async def discourse_webhooks(request: Request, rt: Runtime, raw: bytes) -> Response:
    # No setting turns this off: `run` refuses to start with the forum configured and no secret,
    # and without a secret every delivery is refused here.
    secret = rt.settings.discourse.webhook_secret
    if not discourse_in.signature_ok(secret, raw, request.headers.get("x-discourse-event-signature")):
        return _refuse(request, 401, "invalid or missing X-Discourse-Event-Signature", len(raw))
    try:
        event = discourse_in.event_name(request.headers.get("x-discourse-event"))
        event_type = discourse_in.event_name(request.headers.get("x-discourse-event-type"))
        payload = discourse_in.decode(raw)
    except discourse_in.Malformed as err:
        return _refuse(request, 400, str(err), len(raw))
    try:
        status, answer = await handle_webhook(rt.services, event, event_type, payload)
    except (DBAPIError, PoolTimeout, OSError) as err:
        # The database is down or locked: nothing was committed (one unit of work), so ask
        # Discourse to deliver again later instead of answering 500 with a traceback.
        log.warning("webhook deferred: database unavailable (%s)", type(err).__name__)
        return JSONResponse(
            {"error": "the database is unavailable; deliver again later"},
            status_code=503,
            headers={"Retry-After": "30"},
        )
    if status == 400:
        return _refuse(request, 400, str(answer.get("error", "malformed payload")), len(raw))
    return JSONResponse(answer, status_code=status)


async def healthz(request: Request) -> Response:
    rt = _runtime(request)
    try:
        async with rt.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception as err:
        log.warning("health check: database unavailable (%s)", type(err).__name__)
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
    return JSONResponse({"status": "ok", "database": "ok"})


async def livez(request: Request) -> Response:
    """Liveness: the process answers. (Restart it if this fails.)"""
    return JSONResponse({"status": "alive"})


async def readyz(request: Request) -> Response:
    """Readiness: the database answers, the schema is current and the outbox worker runs.
    (Send traffic only while this is 200.)"""
    rt = _runtime(request)
    problems: list[str] = []
    try:
        current = await migrate.current_revision(rt.engine)
        if current != migrate.head_revision():
            problems.append(f"schema at {current}, run `ambassador-bot migrate`")
    except Exception as err:
        problems.append(f"database unreachable ({type(err).__name__})")
    if any(task.done() for task in rt.tasks):
        problems.append("outbox worker stopped")
    if problems:
        return JSONResponse({"status": "not ready", "problems": problems}, status_code=503)
    return JSONResponse({"status": "ready"})


def _bearer_ok(expected: str, authorization: str | None) -> bool:
    """`Authorization: Bearer <token>` (RFC 6750 §2.1; the scheme is case-insensitive) equal to
    `expected`, compared in constant time on bytes (a header may carry any octet)."""
    scheme, _, given = (authorization or "").partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode("latin-1"), expected.encode("utf-8"))


async def metrics_endpoint(request: Request) -> Response:
    metrics: Metrics = request.app.state.metrics
    token: str = request.app.state.metrics_token
    if token and not _bearer_ok(token, request.headers.get("authorization")):
        return Response(status_code=401, headers={"WWW-Authenticate": "Bearer"})
    try:
        await metrics.refresh()
    except Exception as err:  # the scrape still answers with what the process knows
        log.warning("metrics: database figures unavailable (%s)", type(err).__name__)
    return Response(metrics.render(), media_type=CONTENT_TYPE_LATEST)


async def calendar_ics(request: Request) -> Response:
    rt = _runtime(request)
    token = request.path_params.get("token")
    if token is not None and (len(token) > 100 or not token.replace("-", "").replace("_", "").isalnum()):
        return JSONResponse({"error": "unknown calendar link"}, status_code=404)
    feed = await rt.services.calendar.feed(token)
    if feed is None:
        return JSONResponse({"error": "unknown calendar link"}, status_code=404)
    from bot.calendar_feed import render_ics  # icalendar is loaded when a feed is first asked for

    body = render_ics(feed, name=rt.settings.program.name)
    return Response(body, media_type="text/calendar; charset=utf-8")


def create_app(
    settings: Settings,
    *,
    clock: Clock | None = None,
    auto_migrate: bool | None = None,
    run_worker: bool = True,
) -> Starlette:
    holder: dict[str, Runtime] = {}
    metrics = Metrics(lambda: holder.get("rt"))

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, Any]]:
        rt = await build_runtime(settings, clock=clock, auto_migrate=auto_migrate)
        try:
            await rt.start(worker=run_worker)
        except AppTokenRefused as err:
            await rt.close()
            log.error("%s", err)  # one line; the server then stops (startup failed)
            raise
        app.state.runtime = rt
        holder["rt"] = rt
        # What start-up built (modules, settings, mappers, compiled statements) lives as long as
        # the process: out of the collector's way, a full collection scans only what requests
        # made, which shortens the pauses that land on requests in flight.
        gc.collect()
        gc.freeze()
        try:
            yield {"runtime": rt}
        finally:
            await rt.close()

    app = Starlette(
        middleware=[Middleware(MetricsMiddleware, metrics=metrics)],
        routes=[
            Route("/slack/events", slack_events, methods=["POST"]),
            Route("/discourse/webhooks", discourse_webhooks, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
            Route("/calendar.ics", calendar_ics, methods=["GET"]),
            Route("/calendar/{token}.ics", calendar_ics, methods=["GET"]),
            Route("/livez", livez, methods=["GET"]),
            Route("/readyz", readyz, methods=["GET"]),
            Route("/metrics", metrics_endpoint, methods=["GET"]),
            # The program's public pages (bot/web): /program, /program/ambassadors, /groups, /events.
            *public_pages.routes(),
        ],
        lifespan=lifespan,
    )
    app.state.metrics = metrics
    app.state.metrics_token = settings.server.metrics_token
    app.state.refusals = Throttled(logging.getLogger("ambassador_bot.edge"))
    return app
