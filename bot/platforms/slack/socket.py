"""Slack over Socket Mode: Bolt's async Socket Mode handler (slack_sdk's aiohttp client), with the
same strict checks as ``POST /slack/events``.

The client asks ``apps.connections.open`` (at ``slack.api_url``, with the app-level token) for a
WebSocket URL and connects; Slack then sends envelopes ``{"envelope_id", "type", "payload", …}``
and the app acknowledges each with ``{"envelope_id", "payload"?}``
(https://api.slack.com/apis/socket-mode). slack_sdk reconnects on ``disconnect`` frames and on a
dropped socket (``slack_sdk/socket_mode/async_client.py`` ``run_message_listeners``,
``socket_mode/aiohttp/__init__.py`` ``receive_messages`` / ``monitor_current_session``).

What is added here, in front of Bolt:
- every frame is decoded strictly (bot.platforms.strict_json, a size cap); a frame that is not an
  envelope Slack sends is dropped with one log line (acknowledged when it names an envelope);
- the payload is parsed by the same `parse` as the HTTP path, and must be the kind its envelope
  type says; a malformed one is acknowledged (Slack would only deliver it again) and dropped;
- an envelope delivered again (same ``envelope_id``, e.g. after a reconnect) is acknowledged and
  not handled twice; Events API retries with a new envelope keep their ``event_id``, which the
  event dedupe middleware already catches;
- slack_sdk's own log lines keep no traceback and nothing below INFO (its DEBUG lines print whole
  frames).
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.async_client import AsyncBaseSocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import Settings
from bot.platforms.slack.client import make_web_client
from bot.platforms.slack.parse import Click, Envelope, Event, Inbound, SlashCommand, Submission, parse
from bot.platforms.strict_json import Malformed, loads

__all__ = ["AppTokenRefused", "SocketMode", "app_token_problem", "check_app_token"]

log = logging.getLogger("ambassador_bot.socket_mode")

MAX_FRAME = 1_000_000  # the same cap as an HTTP body
_ENVELOPE_ID = re.compile(r"[A-Za-z0-9_.:-]{1,100}")
# What each envelope type may carry (https://api.slack.com/apis/socket-mode, "Receiving events").
_KINDS: dict[str, tuple[type, ...]] = {
    "slash_commands": (SlashCommand,),
    "interactive": (Click, Submission, Envelope),
    "events_api": (Event, Envelope),
}
# Frames without an envelope that Slack sends (https://api.slack.com/apis/socket-mode).
_CONTROL = ("hello", "disconnect")

ContextFor = Callable[[Inbound], dict[str, Any]]
FirstTime = Callable[[str], Awaitable[bool]]


class AppTokenRefused(Exception):
    """Slack would not open a Socket Mode connection with this app token (one line to show)."""


async def check_app_token(client: AsyncWebClient, app_token: str) -> str:
    """A WebSocket URL from ``apps.connections.open``; `AppTokenRefused` with how to fix it."""
    try:
        response = await client.apps_connections_open(app_token=app_token)
    except SlackApiError as err:
        code = err.response.get("error") if isinstance(err.response.data, dict) else None
        raise AppTokenRefused(
            f"Slack refused slack.app_token (apps.connections.open: {code or 'no answer'}); create an "
            "app-level token with the connections:write scope (Basic Information → App-Level Tokens) "
            "and enable Socket Mode"
        ) from None
    except (TimeoutError, OSError) as err:
        what = type(err).__name__
        raise AppTokenRefused(f"could not reach Slack for apps.connections.open ({what})") from None
    url = response.get("url")
    if not isinstance(url, str) or not url.startswith(("ws://", "wss://")):
        raise AppTokenRefused("apps.connections.open answered without a WebSocket URL")
    return url


async def app_token_problem(settings: Settings) -> str | None:
    """None when Slack opens a Socket Mode connection for `slack.app_token` (the URL is left
    unused; it expires on its own); otherwise the one line that says why and how to fix it."""
    try:
        await check_app_token(make_web_client(settings), settings.slack.app_token)
    except AppTokenRefused as err:
        return str(err)
    return None


class _QuietSdkLog(logging.Filter):
    """slack_sdk logs whole frames at DEBUG and tracebacks on any listener error: keep its INFO and
    up, as one line each."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.INFO:
            return False
        record.exc_info = record.exc_text = None
        record.msg, record.args = str(record.getMessage())[:300], None
        return True


def _sdk_logger() -> logging.Logger:
    logger = logging.getLogger("ambassador_bot.socket_mode.sdk")
    if not any(isinstance(f, _QuietSdkLog) for f in logger.filters):
        logger.addFilter(_QuietSdkLog())
    return logger


def read_frame(raw: str) -> dict[str, Any]:
    """A frame as a dict with a string ``type`` and, for an envelope, a well-formed
    ``envelope_id``; `Malformed` otherwise (the payload is checked later, by `parse`)."""
    if len(raw) > MAX_FRAME:
        raise Malformed(f"frame of {len(raw)} characters is too large")
    frame = loads(raw)
    if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
        raise Malformed("frame is not an object with a type")
    envelope_id = frame.get("envelope_id")
    if envelope_id is None and frame["type"] not in _CONTROL:
        raise Malformed(f"frame of type {frame['type'][:40]!r} without an envelope_id")
    if envelope_id is not None and not (isinstance(envelope_id, str) and _ENVELOPE_ID.fullmatch(envelope_id)):
        raise Malformed("malformed envelope_id")
    return frame


def parse_envelope(kind: str, payload: Any) -> Inbound:
    """The typed payload of an envelope, which must be the kind its type says."""
    allowed = _KINDS.get(kind)
    if allowed is None:
        raise Malformed(f"unsupported envelope type {kind[:40]!r}")
    if not isinstance(payload, Mapping):
        raise Malformed("envelope payload must be an object")
    parsed = parse(payload)
    if not isinstance(parsed, allowed):
        raise Malformed(f"a {type(parsed).__name__} payload does not belong in an envelope of type {kind}")
    return parsed


class _StrictClient(SocketModeClient):
    """slack_sdk's aiohttp client, decoding each frame strictly before its listeners run."""

    async def process_message(self) -> None:
        raw = await self.message_queue.get()
        if raw is None:
            return
        try:
            frame = read_frame(raw)
        except Malformed as err:
            log.warning("Socket Mode: dropped a frame: %s (%d characters)", err, len(raw))
            return
        if "envelope_id" in frame and not isinstance(frame.get("payload"), dict):
            log.warning("Socket Mode: dropped an envelope without an object payload")
            await _ack(self, frame["envelope_id"], None)
            return
        asyncio.ensure_future(self.run_message_listeners(frame, raw))  # noqa: RUF006 - as slack_sdk


async def _ack(client: AsyncBaseSocketModeClient, envelope_id: str, payload: dict[str, Any] | None) -> None:
    await client.send_socket_mode_response(SocketModeResponse(envelope_id=envelope_id, payload=payload))


def _ack_payload(response: BoltResponse) -> dict[str, Any] | None:
    """What an HTTP answer would have said, as an ack payload (slack_bolt's
    ``adapter/socket_mode/async_internals.py`` ``send_async_response`` does the same)."""
    if response.status != 200 or not response.body:
        return None
    content_type = (response.headers.get("content-type") or [""])[0]
    if content_type.startswith("application/json"):
        body = json.loads(response.body)
        return body if isinstance(body, dict) else None
    return {"text": response.body}


class SocketMode(AsyncSocketModeHandler):
    """Bolt's AsyncSocketModeHandler on the bot's Bolt app, with the strict client above."""

    def __init__(
        self,
        app: AsyncApp,
        app_token: str,
        client: AsyncWebClient,
        context_for: ContextFor,
        first_time: FirstTime,
        *,
        ping_interval: float = 5.0,
    ) -> None:
        # Not super().__init__: it would build a second client (and its session and task).
        self.app = app
        self.app_token = app_token
        self._web_client = client
        self._context_for = context_for
        self._first_time = first_time
        self._ping_interval = ping_interval
        self.handled = 0  # envelopes dispatched to Bolt (for tests and metrics)

    async def start(self) -> None:
        """Open the connection; `AppTokenRefused` (one line) when Slack refuses the token."""
        url = await check_app_token(self._web_client, self.app_token)
        self.client = _StrictClient(
            app_token=self.app_token,
            logger=_sdk_logger(),
            web_client=self._web_client,
            ping_interval=self._ping_interval,
        )
        self.client.socket_mode_request_listeners.append(self.handle)  # type: ignore[arg-type]
        self.client.wss_uri = url
        await self.client.connect()  # type: ignore[no-untyped-call]

    async def close(self) -> None:
        if getattr(self, "client", None) is not None:
            await self.client.close()  # type: ignore[no-untyped-call]

    async def handle(self, client: SocketModeClient, req: SocketModeRequest) -> None:  # type: ignore[override]
        try:
            parsed = parse_envelope(req.type, req.payload)
        except Malformed as err:
            log.warning("Socket Mode: dropped a malformed %s envelope: %s", req.type[:40], err)
            await _ack(client, req.envelope_id, None)
            return
        try:
            first = await self._first_time(req.envelope_id)
        except Exception as err:  # the database is down: no ack, so Slack delivers it again
            log.warning("Socket Mode: envelope left for redelivery (%s)", type(err).__name__)
            return
        if not first:
            log.info("Socket Mode: envelope delivered again; acknowledged, not handled twice")
            await _ack(client, req.envelope_id, None)
            return
        self.handled += 1
        request = AsyncBoltRequest(
            body=req.payload,
            mode="socket_mode",
            headers=_retry_headers(req),
            context=self._context_for(parsed),
        )
        response = await self.app.async_dispatch(request)
        if response.status != 200:
            log.info("Socket Mode: %s envelope answered %d", req.type[:40], response.status)
        await _ack(client, req.envelope_id, _ack_payload(response))


def _retry_headers(req: SocketModeRequest) -> dict[str, str | Sequence[str]]:
    """The retry headers an HTTP delivery would carry (Bolt reads them the same in both modes)."""
    headers: dict[str, str | Sequence[str]] = {}
    if req.retry_attempt is not None:
        headers["x-slack-retry-num"] = [str(req.retry_attempt)]
    if req.retry_reason is not None:
        headers["x-slack-retry-reason"] = [str(req.retry_reason)]
    return headers
