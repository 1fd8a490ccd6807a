"""What the stand-in tests share: the Slack credentials and client, a clock moved by hand and a
receiver playing the bot."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.sandbox.slack import SlackStandIn

TOKEN = "xoxb-test"
SECRET = "test-signing-secret"


class FakeClock:
    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


class Receiver:
    """A stand-in for the bot: records what reaches it and answers with canned responses."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.answers: list[Callable[[bytes], Response]] = []
        self.app = Starlette(
            routes=[
                Route("/slack/events", self._handle, methods=["POST"]),
                Route("/discourse/webhooks", self._handle, methods=["POST"]),
            ]
        )

    async def _handle(self, request: Request) -> Response:
        body = await request.body()
        self.requests.append((dict(request.headers), body))
        if self.answers:
            return self.answers.pop(0)(body)
        return Response(status_code=200)


def web_client(standin: SlackStandIn, token: str = TOKEN) -> AsyncWebClient:
    return AsyncWebClient(token=token, base_url=f"{standin.base_url}/api/")


def plain(text: str) -> dict[str, str]:
    return {"type": "plain_text", "text": text}


def modal(title: str, submit: str, *blocks: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"type": "modal", **extra, "title": plain(title), "submit": plain(submit), "blocks": list(blocks)}


def text_input(block_id: str, label: str, action_id: str) -> dict[str, Any]:
    return {
        "type": "input",
        "block_id": block_id,
        "label": plain(label),
        "element": {"type": "plain_text_input", "action_id": action_id},
    }


def name_form() -> dict[str, Any]:
    """A modal asking for a name (callback ``apply``, one input ``name``)."""
    return modal("Apply", "Send", text_input("name", "Name", "name"), callback_id="apply")
