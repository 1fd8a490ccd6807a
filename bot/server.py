"""HTTP routes (Starlette): Slack, Discourse webhooks, health. Dependencies come from the lifespan."""

from __future__ import annotations

import contextlib
import hmac
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.calendar_feed import render_ics
from bot.config import Settings
from bot.discourse import signature_ok
from bot.metrics import Metrics, MetricsMiddleware
from bot.program.ports import Clock
from bot.runtime import Runtime, build_runtime
from handlers.discourse import handle_webhook
from handlers.slack.context import SERVICES_KEY
from storage import migrate

log = logging.getLogger("ambassador_bot.server")

MAX_BODY = 1_000_000  # Slack and Discourse payloads are far smaller; anything bigger is refused.


def _runtime(request: Request) -> Runtime:
    rt = request.state.runtime
    assert isinstance(rt, Runtime)
    return rt


async def _body(request: Request) -> bytes | None:
    length = request.headers.get("content-length")
    if length is not None and (not length.isdigit() or int(length) > MAX_BODY):
        return None
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            return None
    return body


async def slack_events(request: Request) -> Response:
    rt = _runtime(request)
    body = await _body(request)
    if body is None:
        return JSONResponse({"error": "request body too large"}, status_code=413)
    request._body = body  # Bolt's adapter reads the body again
    handler = AsyncSlackRequestHandler(rt.bolt)
    return await handler.handle(request, {SERVICES_KEY: rt.services})


async def discourse_webhooks(request: Request) -> Response:
    rt = _runtime(request)
    body = await _body(request)
    if body is None:
        return JSONResponse({"error": "request body too large"}, status_code=413)
    secret = rt.settings.discourse.webhook_secret
    if secret and not signature_ok(secret, body, request.headers.get("x-discourse-event-signature")):
        return JSONResponse({"error": "invalid or missing X-Discourse-Event-Signature"}, status_code=401)
    try:
        payload: Any = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return JSONResponse({"error": "body is not valid JSON"}, status_code=400)
    if not isinstance(payload, dict):
        return JSONResponse({"error": "body must be a JSON object"}, status_code=400)
    try:
        status, answer = await handle_webhook(
            rt.services,
            request.headers.get("x-discourse-event", ""),
            request.headers.get("x-discourse-event-type", ""),
            payload,
        )
    except (DBAPIError, PoolTimeout, OSError) as err:
        # The database is down or locked: nothing was committed (one unit of work), so ask
        # Discourse to deliver again later instead of answering 500 with a traceback.
        log.warning("webhook deferred: database unavailable (%s)", type(err).__name__)
        return JSONResponse(
            {"error": "the database is unavailable; deliver again later"},
            status_code=503,
            headers={"Retry-After": "30"},
        )
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
        await rt.start(worker=run_worker)
        app.state.runtime = rt
        holder["rt"] = rt
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
        ],
        lifespan=lifespan,
    )
    app.state.metrics = metrics
    app.state.metrics_token = settings.server.metrics_token
    return app
