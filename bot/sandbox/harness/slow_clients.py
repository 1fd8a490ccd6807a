"""Abusive clients on raw sockets, for tests/hostile/test_slow_clients.py and
bench/edge_slow_clients.py: connections that stall mid-request, and a body sent in one-byte
chunks, while /healthz is polled."""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx

STALLS = (
    b"POST /slack/events HTTP/1.1\r\nHost: bot\r\nContent-",  # headers never finished
    b'POST /discourse/webhooks HTTP/1.1\r\nHost: bot\r\nContent-Length: 5000\r\n\r\n{"a":',  # body never
)


def _address(base_url: str) -> tuple[str, int]:
    parts = urlsplit(base_url)
    assert parts.hostname and parts.port
    return parts.hostname, parts.port


async def stalled(base_url: str, opening: bytes) -> tuple[bool, bytes]:
    """Send `opening` and nothing more; return (closed by the server, what it answered)."""
    host, port = _address(base_url)
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(opening)
    await writer.drain()
    try:
        answer = await asyncio.wait_for(reader.read(), timeout=60)  # read() returns at EOF
        return True, answer
    except TimeoutError:
        return False, b""
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()


async def one_byte_chunks(base_url: str, chunks: int = 200_000) -> tuple[int, bytes]:
    """POST a chunked body of `chunks` one-byte chunks as fast as the socket takes them; return
    how many were written before the server stopped reading, and its answer."""
    host, port = _address(base_url)
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(
        b"POST /slack/events HTTP/1.1\r\nHost: bot\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n"
    )
    sent = 0
    batch = b"1\r\nx\r\n" * 1000
    try:
        while sent < chunks:
            writer.write(batch)
            await writer.drain()
            sent += 1000
        writer.write(b"0\r\n\r\n")
        await writer.drain()
    except (ConnectionError, OSError):
        pass
    try:
        answer = await asyncio.wait_for(reader.read(), timeout=60)
    except (TimeoutError, ConnectionError, OSError):
        answer = b""
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()
    return sent, answer


@dataclass
class Polls:
    statuses: list[int] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)

    def p99(self) -> float:
        ordered = sorted(self.seconds)
        return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] if ordered else float("nan")


async def poll_health(base_url: str, stop: asyncio.Event, every: float = 0.02) -> Polls:
    """GET /healthz over one keep-alive connection until `stop` is set."""
    polls = Polls()
    async with httpx.AsyncClient(timeout=30) as http:
        while not stop.is_set():
            started = time.perf_counter()
            resp = await http.get(f"{base_url}/healthz")
            polls.seconds.append(time.perf_counter() - started)
            polls.statuses.append(resp.status_code)
            await asyncio.sleep(every)
    return polls


async def attack(
    base_url: str, stalls: int = 20, chunks: int = 200_000
) -> tuple[list[tuple[bool, bytes]], tuple[int, bytes], Polls]:
    """20 stalled connections and one one-byte-chunk upload at once, /healthz polled meanwhile."""
    stop = asyncio.Event()
    poller = asyncio.create_task(poll_health(base_url, stop))
    await asyncio.sleep(0.2)
    stall_tasks = [asyncio.create_task(stalled(base_url, STALLS[i % len(STALLS)])) for i in range(stalls)]
    upload = await one_byte_chunks(base_url, chunks)
    held = await asyncio.gather(*stall_tasks)
    await asyncio.sleep(0.2)
    stop.set()
    return held, upload, await poller
