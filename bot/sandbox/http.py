"""Serve an ASGI app on a real local TCP port inside the current event loop, and the HTTP core
the actors that play the platforms toward the bot share.

Used by the sandbox, end-to-end tests and benchmarks to run the bot and the
platform stand-ins side by side over real HTTP.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Iterator
from typing import Literal, Self

import httpx
import uvicorn
from starlette.types import ASGIApp

from bot.http_limits import uvicorn_options

__all__ = ["HttpActor", "ServedStandIn", "free_port", "serve_asgi"]


def free_port(host: str = "127.0.0.1") -> int:
    """Return a TCP port that is free right now on ``host``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


class _EmbeddedServer(uvicorn.Server):
    """A uvicorn server that leaves the process' signal handlers alone.

    The stock server installs SIGINT/SIGTERM handlers while it runs and re-raises
    captured signals afterwards; that is right for a standalone process but wrong
    for a server embedded in a test or in the interactive sandbox.
    """

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def _run(server: _EmbeddedServer) -> None:
    try:
        await server.serve()
    except SystemExit as exc:  # uvicorn calls sys.exit() when lifespan startup fails
        raise RuntimeError(f"ASGI server failed to start (exit code {exc.code})") from exc


@contextlib.asynccontextmanager
async def serve_asgi(
    app: ASGIApp,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    lifespan: Literal["auto", "on", "off"] = "on",
    startup_timeout: float = 15.0,
) -> AsyncIterator[str]:
    """Run ``app`` with uvicorn in a task of the running loop; yield its base URL.

    ``port=0`` picks a free port; the yielded URL carries the real one, e.g.
    ``"http://127.0.0.1:54321"``. On exit the server is asked to stop and awaited.
    """
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="warning",
        lifespan=lifespan,
        access_log=False,
        timeout_graceful_shutdown=5,
        **uvicorn_options(),  # the same limits as `ambassador-bot run`
    )
    server = _EmbeddedServer(config)
    task = asyncio.create_task(_run(server), name=f"serve_asgi:{host}:{port}")
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + startup_timeout
        while not server.started:
            if task.done():
                # Re-raise the startup error (or complain about a silent exit).
                task.result()
                raise RuntimeError("ASGI server exited before it started")
            if loop.time() > deadline:
                raise TimeoutError(f"ASGI server did not start within {startup_timeout} s")
            await asyncio.sleep(0.01)
        real_port = port
        for srv in server.servers:
            for sock in srv.sockets:
                real_port = int(sock.getsockname()[1])
                break
            break
        url_host = f"[{host}]" if ":" in host else host
        yield f"http://{url_host}:{real_port}"
    finally:
        server.should_exit = True
        if not task.done():
            try:
                await asyncio.wait_for(asyncio.shield(task), timeout=10)
            except TimeoutError:
                server.force_exit = True
                task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task


class ServedStandIn:
    """The server core both platform stand-ins share: an ASGI app of their own (``self._app``,
    built by the subclass) served on a real local port, with ``base_url`` set while it runs."""

    base_url: str
    _app: ASGIApp

    @property
    def app(self) -> ASGIApp:
        return self._app

    @contextlib.asynccontextmanager
    async def serve(self, host: str = "127.0.0.1", port: int = 0) -> AsyncIterator[str]:
        """Serve the stand-in and set ``base_url``; yields the base URL."""
        async with serve_asgi(self._app, host, port) as url:
            self.base_url = url
            yield url


class HttpActor:
    """What both platform actors share: the bot's base URL and an HTTP client, their own (closed
    with them) unless one is passed in (then the caller closes it)."""

    def __init__(self, bot_url: str, http: httpx.AsyncClient | None) -> None:
        self.bot_url = bot_url.rstrip("/")
        self._own_http = http is None
        self.http = http if http is not None else httpx.AsyncClient(timeout=30.0)

    async def aclose(self) -> None:
        if self._own_http:
            await self.http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
