"""The Slack stand-in's Socket Mode side over a real WebSocket, met with slack_sdk's own aiohttp
client: apps.connections.open takes only the app-level token, the URL is single use, hello comes
first, envelopes wait for their ack and are delivered again without one."""

from __future__ import annotations

import asyncio
import json

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.sandbox.slack import SlackStandIn
from tests.sandbox.helpers import TOKEN


def _client(slack: SlackStandIn) -> AsyncWebClient:
    return AsyncWebClient(base_url=slack.base_url + "/api/")


@pytest.mark.parametrize(
    ("token", "error"),
    [(TOKEN, "not_allowed_token_type"), ("xapp-1-A0-1-made-up", "invalid_auth"), ("", "not_authed")],
)
async def test_connections_open_takes_only_the_app_token(slack: SlackStandIn, token: str, error: str) -> None:
    with pytest.raises(SlackApiError) as err:
        await _client(slack).apps_connections_open(app_token=token)
    assert err.value.response["error"] == error
    assert slack.socket_mode.hellos == 0


async def test_hello_then_envelope_then_ack_payload(slack: SlackStandIn) -> None:
    url = (await _client(slack).apps_connections_open(app_token=slack.app_token))["url"]
    assert url.startswith("ws://127.0.0.1:")
    async with aiohttp.ClientSession() as http, http.ws_connect(url) as ws:
        hello = json.loads((await ws.receive()).data)
        assert hello["type"] == "hello" and hello["num_connections"] == 1
        assert hello["connection_info"] == {"app_id": slack.app_id} and "host" in hello["debug_info"]
        answer = asyncio.create_task(slack.socket_mode.deliver("slash_commands", {"command": "/x"}))
        envelope = json.loads((await ws.receive()).data)
        assert envelope["type"] == "slash_commands" and envelope["accepts_response_payload"] is True
        assert envelope["payload"] == {"command": "/x"} and "retry_attempt" not in envelope
        await ws.send_str(json.dumps({"envelope_id": envelope["envelope_id"], "payload": {"text": "hi"}}))
        assert await answer == {"text": "hi"}
        # The URL was single use: a second connection with it is refused.
        with pytest.raises(aiohttp.WSServerHandshakeError):
            await http.ws_connect(url)


async def test_unacked_event_is_delivered_again_with_retry_attempt(slack: SlackStandIn) -> None:
    slack.socket_mode.redeliver_seconds = 0.2
    url = (await _client(slack).apps_connections_open(app_token=slack.app_token))["url"]
    async with aiohttp.ClientSession() as http, http.ws_connect(url) as ws:
        await ws.receive()  # hello
        answer = asyncio.create_task(slack.socket_mode.deliver("events_api", {"type": "event_callback"}))
        first = json.loads((await ws.receive()).data)
        again = json.loads((await ws.receive()).data)
        assert first["envelope_id"] == again["envelope_id"]
        assert (first["retry_attempt"], again["retry_attempt"]) == (0, 1)
        assert again["retry_reason"] == "timeout"
        await ws.send_str(json.dumps({"envelope_id": again["envelope_id"]}))
        assert await answer == {}


async def test_disconnect_frame_names_its_reason(slack: SlackStandIn) -> None:
    url = (await _client(slack).apps_connections_open(app_token=slack.app_token))["url"]
    async with aiohttp.ClientSession() as http, http.ws_connect(url) as ws:
        await ws.receive()  # hello
        await slack.socket_mode.disconnect("link_disabled")
        frame = json.loads((await ws.receive()).data)
        assert frame["type"] == "disconnect" and frame["reason"] == "link_disabled"
