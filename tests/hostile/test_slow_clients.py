"""Issue 12, class 5: clients that stall mid-request or send a body one byte per chunk are dropped
by the server, and /healthz keeps answering everyone else meanwhile. (How fast it answers is
measured by bench/edge_slow_clients.py, not asserted here.)"""

from __future__ import annotations

from bot.http_limits import MAX_BODY_EVENTS
from bot.sandbox.harness.slow_clients import attack
from bot.sandbox.harness.stack import Stack
from tests.hostile.edge import no_errors, snapshot


async def test_stalled_connections_are_closed_and_health_answers_throughout(stack: Stack) -> None:
    before = await snapshot(stack)
    with no_errors() as logs:
        held, (_sent, answer), polls = await attack(stack.bot_url, stalls=20, chunks=200_000)
    # Every stalled connection was closed by the server (read() saw EOF), a body that never came
    # with a 408 first; none is still held.
    assert all(closed for closed, _ in held)
    assert any(b" 408 " in reply for _, reply in held)
    # The one-byte-chunk upload was cut off after MAX_BODY_EVENTS chunks (answered 413 when the
    # client still reads; a client that keeps writing may only see the connection reset).
    assert any("too many body pieces" in line for line in logs.lines), logs.lines[-5:]
    assert answer == b"" or b" 413 " in answer.split(b"\r\n", 1)[0]
    assert MAX_BODY_EVENTS < 200_000
    # /healthz answered every poll, all the while.
    assert polls.statuses and set(polls.statuses) == {200}
    assert await snapshot(stack) == before
