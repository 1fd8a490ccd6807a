"""The Slack stand-in in a process of its own, for the in-process fan-out run (bench.reminder_fanout).

Real Slack does not run on the bot's CPU. Served from the bench's own event loop, the stand-in
(HTTP parsing, Block Kit validation, the workspace token bucket) took about a third of the loop the
bot delivers from; in a child process it has a core of its own, and the bot's figure is the bot's.

The child serves the stand-in as usual, plus one extra route the bench reads it through:
``GET /_bench/state`` answers how many of the N users have their DM, the 429s, the calls by method
and (``?tally=1``) the full tally of bench.fanout.Arrivals.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import multiprocessing
import os
from typing import Any

import httpx
from starlette.types import Receive, Scope, Send

from bench.fanout import Arrivals, call_counts, prepare_slack
from bot.sandbox.harness.stack import make_standins
from bot.sandbox.http import free_port, serve_asgi

STATE_PATH = "/_bench/state"
START_TIMEOUT = 60.0


def _child(port: int, users: list[str], rate: float, burst: int, ready: Any) -> None:
    # Slack runs on machines of its own: ahead of the bot for the CPU here, so the times its token
    # bucket sees are the times the bot sent at, not when a busy machine got round to reading them.
    # And no pauses of its own: a collection of the stored messages stalls this process for a
    # tenth of a second, after which it reads a queue of requests at once, a burst the bot never sent.
    with contextlib.suppress(OSError):
        os.nice(-10)
    gc.disable()
    asyncio.run(_serve(port, users, rate, burst, ready))


async def _serve(port: int, users: list[str], rate: float, burst: int, ready: Any) -> None:
    slack, _forum = make_standins()
    prepare_slack(slack, users, rate, burst)
    arrivals = Arrivals(slack, users)

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != STATE_PATH:
            await slack.app(scope, receive, send)
            return
        state: dict[str, Any] = {
            "reached": arrivals.users_reached(),
            "rate_limited": slack.rate_limited,
            "calls": call_counts(slack),
        }
        if b"tally=1" in scope.get("query_string", b""):
            state["tally"] = arrivals.tally()
        body = json.dumps(state).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async with serve_asgi(app, port=port) as url:
        slack.base_url = url
        ready.set()
        await asyncio.Event().wait()  # until the parent terminates this process


class SlackProcess:
    """``async with SlackProcess(users, rate, burst) as slack:`` the stand-in in a child process;
    ``slack.url`` is its base URL; ``await slack.state()`` reads what arrived."""

    def __init__(self, users: list[str], rate: float, burst: int) -> None:
        self.users, self.rate, self.burst = users, rate, burst
        self.url = ""
        self.rate_limited = 0
        self._proc: Any = None
        self._client: httpx.AsyncClient | None = None

    async def __aenter__(self) -> SlackProcess:
        ctx = multiprocessing.get_context("spawn")  # not fork: the parent runs threads and a loop
        ready = ctx.Event()
        port = free_port()
        self._proc = ctx.Process(
            target=_child, args=(port, self.users, self.rate, self.burst, ready), daemon=True
        )
        self._proc.start()
        started = await asyncio.to_thread(ready.wait, START_TIMEOUT)
        if not started:
            self._proc.terminate()
            raise RuntimeError("the Slack stand-in process did not start")
        self.url = f"http://127.0.0.1:{port}"
        self._client = httpx.AsyncClient(base_url=self.url, timeout=30)
        return self

    async def __aexit__(self, *_exc: object) -> None:
        if self._client is not None:
            await self._client.aclose()
        if self._proc is not None:
            self._proc.terminate()
            await asyncio.to_thread(self._proc.join, 10)

    async def state(self, tally: bool = False) -> dict[str, Any]:
        assert self._client is not None
        answer = await self._client.get(STATE_PATH, params={"tally": "1"} if tally else None)
        answer.raise_for_status()
        state: dict[str, Any] = answer.json()
        self.rate_limited = int(state["rate_limited"])
        return state


class RemoteArrivals:
    """bench.fanout.Arrivals, read from the stand-in's process."""

    def __init__(self, slack: SlackProcess) -> None:
        self.slack = slack

    async def progress(self) -> tuple[int, int]:
        state = await self.slack.state()
        return int(state["reached"]), int(state["rate_limited"])

    async def tally(self) -> dict[str, Any]:
        state = await self.slack.state(tally=True)
        tally: dict[str, Any] = state["tally"]
        return tally
