"""Slack's Socket Mode, the server side, for the Slack stand-in: ``apps.connections.open`` and the
WebSocket it hands out, on a real loopback port (aiohttp.web).

What it does, and where that comes from:

- ``apps.connections.open`` (https://api.slack.com/methods/apps.connections.open) takes an
  app-level token (``xapp-…``) and answers ``{"ok": true, "url": "wss://…"}``, a single-use URL;
  a bot or user token is ``not_allowed_token_type``, a wrong token ``invalid_auth``, none
  ``not_authed``. Here the URL is ``ws://127.0.0.1:PORT/link/?ticket=…`` (loopback, no TLS).
- On connecting, Slack sends ``hello`` with ``num_connections``, ``debug_info`` and
  ``connection_info.app_id`` (https://api.slack.com/apis/socket-mode, "Connecting to the
  WebSocket URL").
- Each delivery is an envelope ``{"envelope_id", "type", "payload", "accepts_response_payload"}``
  of type ``slash_commands``, ``interactive`` or ``events_api``; Events API envelopes also carry
  ``retry_attempt`` and ``retry_reason`` (https://api.slack.com/apis/socket-mode, "Receiving
  events"; slack_sdk ``socket_mode/request.py`` reads exactly these keys).
- The app acknowledges with ``{"envelope_id", "payload"?}``; the payload is what an HTTP app would
  answer (a slash command's message, a view submission's ``response_action``)
  (https://api.slack.com/apis/socket-mode, "Acknowledging events").
- An envelope not acknowledged in time is delivered again, possibly on another connection
  (https://api.slack.com/apis/socket-mode: "If your app doesn't acknowledge … Slack will retry"),
  with ``retry_attempt`` counting up, at most three times (as the Events API over HTTP retries).
- ``{"type": "disconnect", "reason": "refresh_requested" | "warning" | "link_disabled"}`` asks the
  app to open a new connection (https://api.slack.com/apis/socket-mode, "Disconnect events").
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import itertools
import json
import secrets
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Literal

from aiohttp import WSMsgType, web

from bot.sandbox.slack.common import ApiError, JSONDict

__all__ = ["EnvelopeType", "SocketModeServer", "connections_open"]

EnvelopeType = Literal["slash_commands", "interactive", "events_api"]
DisconnectReason = Literal["refresh_requested", "warning", "link_disabled"]
MAX_RETRIES = 3


@dataclass
class _Pending:
    envelope: JSONDict
    acked: asyncio.Future[JSONDict]
    attempts: int = 0


@dataclass(eq=False)
class SocketModeServer:
    """The stand-in's Socket Mode side: tickets, live connections, envelopes in flight."""

    app_id: str
    app_token: str
    # How long an envelope may go unacknowledged before it is delivered again (Slack: 3 s).
    redeliver_seconds: float = 3.0
    base_url: str = ""
    hellos: int = 0  # connections that got their hello
    delivered: list[JSONDict] = field(default_factory=list)  # every envelope sent, redeliveries too
    acks: list[JSONDict] = field(default_factory=list)  # every ack received, in order
    refused_frames: list[str] = field(default_factory=list)  # what the app sent that is no ack
    _tickets: set[str] = field(default_factory=set)
    _sockets: list[web.WebSocketResponse] = field(default_factory=list)
    _pending: dict[str, _Pending] = field(default_factory=dict)
    _seq: itertools.count[int] = field(default_factory=itertools.count)
    _hold_acks: bool = False

    # ------------------------------------------------------------------ serving

    @contextlib.asynccontextmanager
    async def serve(self, host: str = "127.0.0.1") -> AsyncIterator[str]:
        app = web.Application()
        app.router.add_get("/link/", self._socket)
        runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind((host, 0))
        port = int(sock.getsockname()[1])
        await web.SockSite(runner, sock).start()
        self.base_url = f"ws://{host}:{port}"
        try:
            yield self.base_url
        finally:
            for ws in list(self._sockets):
                with contextlib.suppress(Exception):
                    await ws.close()
            await runner.cleanup()

    def open_url(self) -> str:
        """A new single-use WebSocket URL (what apps.connections.open answers)."""
        ticket = secrets.token_hex(16)
        self._tickets.add(ticket)
        return f"{self.base_url}/link/?ticket={ticket}&app_id={self.app_id}"

    async def _socket(self, request: web.Request) -> web.StreamResponse:
        ticket = request.query.get("ticket", "")
        if ticket not in self._tickets:  # a used or made-up URL: Slack refuses the upgrade
            return web.Response(status=401, text="invalid or used ticket")
        self._tickets.discard(ticket)
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self._sockets.append(ws)
        self.hellos += 1
        await ws.send_str(json.dumps(self._hello()))
        try:
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    self._receive(msg.data)
        finally:
            if ws in self._sockets:
                self._sockets.remove(ws)
        return ws

    def _hello(self) -> JSONDict:
        return {
            "type": "hello",
            "num_connections": len(self._sockets),
            "debug_info": {
                "host": "applink-sandbox",
                "build_number": 1,
                "approximate_connection_time": 18060,
            },
            "connection_info": {"app_id": self.app_id},
        }

    def _receive(self, text: str) -> None:
        try:
            ack = json.loads(text)
        except ValueError:
            self.refused_frames.append("not JSON")
            return
        if not isinstance(ack, dict) or not isinstance(ack.get("envelope_id"), str):
            self.refused_frames.append("no envelope_id")
            return
        self.acks.append(ack)
        if self._hold_acks:
            return
        pending = self._pending.get(ack["envelope_id"])
        if pending is not None and not pending.acked.done():
            payload = ack.get("payload")
            pending.acked.set_result(payload if isinstance(payload, dict) else {})

    # ------------------------------------------------------------------ what a test drives

    @property
    def connected(self) -> int:
        return len(self._sockets)

    async def wait_connected(self, count: int = 1, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Until ``count`` hellos have been sent in all and a connection is open."""
        async with asyncio.timeout(timeout):
            while self.hellos < count or not self._sockets:  # noqa: ASYNC110 - two conditions
                await asyncio.sleep(0.01)

    async def deliver(
        self,
        kind: EnvelopeType,
        payload: JSONDict,
        *,
        timeout: float = 15.0,  # noqa: ASYNC109
        envelope_id: str | None = None,
    ) -> JSONDict:
        """Send ``payload`` as an envelope and return the ack's payload (``{}`` when the ack had
        none); delivered again when not acknowledged in time. TimeoutError if never acked."""
        eid = envelope_id or f"sandbox-{next(self._seq):06d}-{secrets.token_hex(6)}"
        envelope: JSONDict = {
            "envelope_id": eid,
            "type": kind,
            "payload": payload,
            "accepts_response_payload": kind != "events_api",
        }
        if kind == "events_api":
            envelope.update(retry_attempt=0, retry_reason="")
        pending = _Pending(envelope, asyncio.get_running_loop().create_future())
        self._pending[eid] = pending
        try:
            async with asyncio.timeout(timeout):
                return await self._until_acked(pending)
        finally:
            self._pending.pop(eid, None)

    async def _until_acked(self, pending: _Pending) -> JSONDict:
        while True:
            await self.wait_connected(timeout=self.redeliver_seconds * (MAX_RETRIES + 2))
            envelope = dict(pending.envelope)
            if pending.attempts and envelope["type"] == "events_api":
                envelope.update(retry_attempt=pending.attempts, retry_reason="timeout")
            pending.attempts += 1
            await self.send_frame(envelope)
            with contextlib.suppress(TimeoutError):
                return await asyncio.wait_for(asyncio.shield(pending.acked), self.redeliver_seconds)
            if pending.attempts > MAX_RETRIES:
                raise TimeoutError(f"envelope {envelope['envelope_id']} was never acknowledged")

    async def send_frame(self, frame: JSONDict | str) -> None:
        """Send one frame (an envelope, or anything a test wants the app to meet) on the newest
        connection."""
        await self.wait_connected(timeout=self.redeliver_seconds * (MAX_RETRIES + 2))
        text = frame if isinstance(frame, str) else json.dumps(frame)
        if isinstance(frame, dict) and "envelope_id" in frame:
            self.delivered.append(frame)
        await self._sockets[-1].send_str(text)

    async def disconnect(self, reason: DisconnectReason = "refresh_requested") -> None:
        """Ask every connected app to reconnect; the old socket is closed once it has."""
        frame = {"type": "disconnect", "reason": reason, "debug_info": {"host": "applink-sandbox"}}
        for ws in list(self._sockets):
            await ws.send_str(json.dumps(frame))

    async def drop(self) -> None:
        """Close every socket at once from Slack's side (close code 1011, "internal error"), with no
        disconnect message first: the app must notice and reconnect on its own."""
        for ws in list(self._sockets):
            await ws.close(code=1011, message=b"dropped by the stand-in")

    def hold_acks(self, hold: bool = True) -> None:
        """While held, acks are recorded but not counted (so envelopes get redelivered)."""
        self._hold_acks = hold


def connections_open(server: SocketModeServer, bot_token: str, token: str | None) -> JSONDict:
    """apps.connections.open (https://api.slack.com/methods/apps.connections.open): an app-level
    token only."""
    if not token:
        raise ApiError("not_authed")
    if token.startswith(("xoxb-", "xoxp-")) or hmac.compare_digest(token.encode(), bot_token.encode()):
        raise ApiError("not_allowed_token_type")
    if not hmac.compare_digest(token.encode(), server.app_token.encode()):
        raise ApiError("invalid_auth")
    if not server.base_url:
        raise ApiError("internal_error")
    return {"ok": True, "url": server.open_url()}
