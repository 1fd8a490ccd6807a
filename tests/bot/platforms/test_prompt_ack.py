"""Slack gets the HTTP answer when the listener calls ack(), not at Bolt's next 10 ms poll; the
listener's work after ack() still runs, and a listener that fails still gets Bolt's answer."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlencode

import pytest
from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import settings_from_mapping
from bot.platforms.slack.prompt_ack import PromptAckRunner, answer_at_ack
from bot.slack import build_bolt_app

BOLT_POLL = 0.01  # slack_bolt/listener/asyncio_runner.py: asyncio.sleep(0.01) until ack() was called


async def _authorize(**_: Any) -> AuthorizeResult:
    return AuthorizeResult(enterprise_id=None, team_id="T1", bot_token="xoxb-test", bot_user_id="UB")


def _app() -> AsyncApp:
    app = AsyncApp(signing_secret="unused", request_verification_enabled=False, authorize=_authorize)
    answer_at_ack(app)
    return app


def _command(text: str) -> AsyncBoltRequest:
    body = urlencode(
        {
            "command": "/ambassador",
            "text": text,
            "team_id": "T1",
            "user_id": "U1",
            "channel_id": "C1",
            "trigger_id": "1.2.3",
            "response_url": "http://127.0.0.1:9/hook",
        }
    )
    return AsyncBoltRequest(body=body, headers={"content-type": ["application/x-www-form-urlencoded"]})


@pytest.fixture
def no_bolt_poll(monkeypatch: pytest.MonkeyPatch) -> None:
    """Bolt's poll never comes round: only an answer given at ack() gets out."""
    sleep: Callable[..., Awaitable[Any]] = asyncio.sleep

    async def stuck(delay: float, result: Any = None) -> Any:
        if delay == BOLT_POLL:
            await asyncio.Event().wait()
        return await sleep(delay, result)

    monkeypatch.setattr(asyncio, "sleep", stuck)


async def test_the_answer_leaves_at_ack_and_the_rest_of_the_listener_still_runs(no_bolt_poll: None) -> None:
    app = _app()
    release, after = asyncio.Event(), []

    @app.command("/ambassador")
    async def listener(ack: Any, command: dict[str, Any]) -> None:
        await ack(text=f"looking for {command['text']}")
        await release.wait()  # work after the answer (a views.open, a post)
        after.append(command["text"])

    response = await asyncio.wait_for(app.async_dispatch(_command("kubernetes")), 5)
    assert response.status == 200
    assert "looking for kubernetes" in response.body
    assert after == []  # the answer did not wait for the work after ack()
    release.set()
    for _ in range(100):
        if after:
            break
        await asyncio.sleep(0)
    assert after == ["kubernetes"]


async def test_a_listener_that_fails_before_ack_gets_bolts_answer() -> None:
    app = _app()
    seen: list[str] = []

    @app.error
    async def on_error(error: Exception) -> None:
        seen.append(type(error).__name__)

    @app.command("/ambassador")
    async def listener(ack: Any) -> None:
        raise RuntimeError("boom")

    response = await asyncio.wait_for(app.async_dispatch(_command("x")), 5)
    assert response.status == 500
    assert seen == ["RuntimeError"]


def test_the_bots_bolt_app_answers_at_ack() -> None:
    settings = settings_from_mapping({"slack": {"bot_token": "xoxb-1", "signing_secret": "s"}}, env={})
    app = build_bolt_app(settings, AsyncWebClient(token="xoxb-1", base_url="http://127.0.0.1:9/"))
    assert isinstance(app.listener_runner, PromptAckRunner)
