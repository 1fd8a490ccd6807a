"""The bare baseline as its own process, for ``bench.mixed_traffic``: a Bolt app whose slash
command and button listeners only ack, and a Discourse webhook route that only checks the HMAC.

Run from the repository root (the benchmark starts it itself)::

    python -m bench.bare_server --port 8123 --slack-url http://127.0.0.1:8122

Served the same way as the bot (Starlette + ``AsyncSlackRequestHandler`` + uvicorn), with the
same signing secret and webhook secret as ``bot.sandbox.harness.stack``.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import re
import sys
from collections.abc import Awaitable, Callable

import uvicorn
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from bot.sandbox.harness.stack import BOT_TOKEN, SIGNING_SECRET, WEBHOOK_SECRET


def bare_webhook(secret: str) -> Callable[[Request], Awaitable[Response]]:
    """The baseline webhook route: read the body, check the HMAC with compare_digest, answer 200."""
    key = secret.encode()

    async def webhook(request: Request) -> Response:
        body = await request.body()
        expected = "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest()
        given = request.headers.get("x-discourse-event-signature", "")
        if not hmac.compare_digest(expected.encode(), given.strip().encode()):
            return JSONResponse({"error": "bad signature"}, status_code=401)
        return JSONResponse({"ok": True})

    return webhook


def bare_app(slack_url: str) -> Starlette:
    # Like the bot, a single-workspace app with a token: Bolt checks it (auth.test) once, against
    # the same Slack stand-in; the listeners themselves never call Slack.
    bolt = AsyncApp(
        signing_secret=SIGNING_SECRET,
        client=AsyncWebClient(token=BOT_TOKEN, base_url=f"{slack_url}/api/"),
    )

    @bolt.command("/ambassador")
    async def _command(ack: AsyncAck) -> None:
        await ack()

    @bolt.action(re.compile(".*"))
    async def _button(ack: AsyncAck) -> None:
        await ack()

    handler = AsyncSlackRequestHandler(bolt)

    async def slack_events(request: Request) -> Response:
        return await handler.handle(request)

    async def healthz(_request: Request) -> Response:
        return PlainTextResponse("ok")

    return Starlette(
        routes=[
            Route("/slack/events", slack_events, methods=["POST"]),
            Route("/discourse/webhooks", bare_webhook(WEBHOOK_SECRET), methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bare_server", description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--slack-url", required=True, help="the Slack stand-in's base URL")
    args = parser.parse_args(argv)
    uvicorn.run(
        bare_app(args.slack_url), host=args.host, port=args.port, log_level="warning", access_log=False
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
