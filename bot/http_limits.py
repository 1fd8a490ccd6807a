"""The HTTP server's defences against slow and abusive clients (uvicorn settings + one protocol).

uvicorn alone closes idle keep-alive connections (``timeout_keep_alive``), bounds an incomplete
header block (h11's ``max_incomplete_event_size``) and answers 503 past ``limit_concurrency``,
but it has no deadline for a request that has started to arrive: a client that sends half its
headers, or a body one byte at a time, holds its connection for ever, and a chunked body of
200 000 one-byte chunks is parsed event by event on the shared loop. `GuardedH11Protocol` adds
the two missing limits to uvicorn's own h11 protocol:

- every request must have arrived completely (headers and body) within `READ_TIMEOUT` seconds of
  its first byte, and a connection that sends nothing is closed after as long (as uvicorn closes
  an idle keep-alive connection; it has no timer for a fresh one);
- a request body may come in at most `MAX_BODY_EVENTS` pieces (h11 ``Data`` events: one per
  chunk of a chunked body, one per read of a sized body): past that the request is answered 413
  and the connection closed, before the loop spends time on the rest.

The application's body reader (bot.server) adds its own deadline and size cap on top.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from bot.logs import Throttled

# One line per dropped connection, at most 30 a minute per reason for the whole process.
_log = logging.getLogger("ambassador_bot.http")
refusals = {408: Throttled(_log), 413: Throttled(_log)}

READ_TIMEOUT = 5.0  # seconds for one request's headers and body to arrive
MAX_BODY_EVENTS = 2048  # a 1 MB body read 1448 bytes at a time is ~700 pieces
KEEP_ALIVE = 5  # seconds an idle keep-alive connection stays open
LIMIT_CONCURRENCY = 200  # open connections + running requests; past it uvicorn answers 503
MAX_HEADER_BYTES = 16 * 1024  # the request line and headers together


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a per-request read deadline and a cap on body pieces."""

    _guard: asyncio.TimerHandle | None = None
    _pieces = 0
    _started = False  # bytes of the next request have arrived

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._pieces = 0
        self._arm()
        next_event = self.conn.next_event

        def counted() -> Any:
            event = next_event()
            if isinstance(event, h11.Data):
                self._pieces += 1
                if self._pieces > MAX_BODY_EVENTS:
                    self._refuse(413, "too many body pieces")
                    return h11.NEED_DATA  # stop handling the rest of what was read
            return event

        self.conn.next_event = counted  # type: ignore[method-assign]

    def data_received(self, data: bytes) -> None:
        if self.conn.their_state is h11.IDLE and not self._started:
            self._started = True
            self._arm()  # the first byte of a request: from now on it has READ_TIMEOUT to arrive
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE and self.conn.their_state is not h11.SEND_BODY:
            self._disarm()  # the request has arrived (or the connection is done)

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._pieces = 0
        self._started = False
        if not self.transport.is_closing():
            self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._disarm()
        self._guard = self.loop.call_later(READ_TIMEOUT, self._expired)

    def _disarm(self) -> None:
        if self._guard is not None:
            self._guard.cancel()
            self._guard = None

    def _expired(self) -> None:
        self._guard = None
        if self.conn.their_state is h11.IDLE and self.cycle is not None and not self.cycle.response_complete:
            return  # the app is still answering the previous request
        if self.conn.their_state is h11.IDLE and not self._started:
            # Connected (or kept alive) and sent nothing: closed quietly, as uvicorn closes an
            # idle keep-alive connection (it has no timer for a fresh one).
            self.transport.close()
        elif self.conn.their_state in (h11.IDLE, h11.SEND_BODY):
            self._refuse(408, "request not received in time")

    def _refuse(self, status: int, reason: str) -> None:
        client = f"{self.client[0]}:{self.client[1]}" if self.client else "?"
        refusals[status].log(logging.INFO, "refused connection from %s: %d %s", client, status, reason)
        if self.cycle is not None and not self.cycle.response_complete:
            # The app may still be reading this request: it sees a disconnect, and whatever it
            # sends is dropped instead of meeting a closed h11 state.
            self.cycle.disconnected = True
            self.cycle.message_event.set()
        if self.conn.our_state is h11.SEND_RESPONSE:
            try:
                headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"connection", b"close")]
                out = self.conn.send(h11.Response(status_code=status, headers=headers))
                out = (out or b"") + (self.conn.send(h11.Data(data=reason.encode())) or b"")
                out += self.conn.send(h11.EndOfMessage()) or b""
                self.transport.write(out)
            except h11.LocalProtocolError:
                pass  # no answer then; the connection closes anyway
        self.transport.close()


def uvicorn_options() -> dict[str, Any]:
    """The uvicorn.Config keywords for serving the bot (`run`, the sandbox and the tests)."""
    return {
        "http": GuardedH11Protocol,
        "timeout_keep_alive": KEEP_ALIVE,
        "limit_concurrency": LIMIT_CONCURRENCY,
        "h11_max_incomplete_event_size": MAX_HEADER_BYTES,
    }
