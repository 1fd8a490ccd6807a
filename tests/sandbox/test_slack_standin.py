"""The Slack stand-in (and the server core both stand-ins share), over real HTTP with slack_sdk; its
actor is in test_slack_actor, the Discourse ones in test_discourse_standin."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator

import httpx
import pytest
from slack_sdk.errors import SlackApiError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.sandbox.http import free_port, serve_asgi
from bot.sandbox.slack import SlackStandIn
from tests.sandbox.helpers import TOKEN, FakeClock, name_form, web_client

# ---------------------------------------------------------------------- serve_asgi


async def test_serve_asgi_yields_the_real_port_and_runs_the_lifespan() -> None:
    events: list[str] = []

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        events.append("startup")
        yield
        events.append("shutdown")

    async def hello(request: Request) -> Response:
        return JSONResponse({"hi": 1})

    app = Starlette(routes=[Route("/", hello)], lifespan=lifespan)
    async with serve_asgi(app) as url:
        assert url.startswith("http://127.0.0.1:") and not url.endswith(":0")
        async with httpx.AsyncClient() as http:
            assert (await http.get(url + "/")).json() == {"hi": 1}
        assert events == ["startup"]
    assert events == ["startup", "shutdown"]
    port = free_port()
    async with serve_asgi(app, port=port) as url:
        assert url == f"http://127.0.0.1:{port}"


async def test_serve_asgi_raises_when_lifespan_startup_fails() -> None:
    @contextlib.asynccontextmanager
    async def broken(app: Starlette) -> AsyncIterator[None]:
        raise RuntimeError("database is gone")
        yield

    with pytest.raises(RuntimeError):
        async with serve_asgi(Starlette(lifespan=broken)):
            pass


# ---------------------------------------------------------------------- Slack stand-in


async def test_post_message_then_a_fifth_rapid_post_is_rate_limited(slack: SlackStandIn) -> None:
    client = web_client(slack)
    resp = await client.chat_postMessage(
        channel="C1",
        text="hello",
        blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": "hello"}}],
        metadata={"event_type": "application", "event_payload": {"id": 1}},
    )
    assert resp["ok"] and resp["channel"] == "C1"
    assert resp["message"]["text"] == "hello" and resp["message"]["bot_id"] == slack.bot_id
    for i in range(3):
        await client.chat_postMessage(channel="C1", text=f"more {i}")
    with pytest.raises(SlackApiError) as err:
        await client.chat_postMessage(channel="C1", text="one too many")
    assert err.value.response.status_code == 429
    assert err.value.response.headers["Retry-After"] == "1"
    assert err.value.response["error"] == "ratelimited"
    # Another channel has its own bucket; the rejected call was still recorded.
    assert (await client.chat_postMessage(channel="U2", text="dm"))["channel"] == "DU2"
    assert [m for m, _ in slack.calls].count("chat.postMessage") == 6
    assert slack.rate_limited == 1
    stored = slack.messages_in("C1")
    assert len(stored) == 4
    assert [float(m["ts"]) for m in stored] == sorted({float(m["ts"]) for m in stored})
    assert stored[0]["metadata"] == {"event_type": "application", "event_payload": {"id": 1}}
    assert slack.dms_to("U2")[0]["text"] == "dm"


async def test_rate_limit_refills_at_one_per_second_with_injected_clock() -> None:
    clock = FakeClock()
    standin = SlackStandIn(bot_token=TOKEN, post_burst=2, clock=clock)
    standin.add_channel("C1", "general", bot_member=True)
    async with standin.serve():
        client = web_client(standin)
        await client.chat_postMessage(channel="C1", text="a")
        await client.chat_postMessage(channel="C1", text="b")
        with pytest.raises(SlackApiError):
            await client.chat_postMessage(channel="C1", text="c")
        clock.now += 1.0
        await client.chat_postMessage(channel="C1", text="c")


@pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing")
async def test_auth_errors_unknown_methods_and_missing_arguments(slack: SlackStandIn) -> None:
    with pytest.raises(SlackApiError) as err:
        await web_client(slack, token="xoxb-wrong").auth_test()
    assert err.value.response["error"] == "invalid_auth"
    async with httpx.AsyncClient() as http:
        no_auth = await http.post(f"{slack.base_url}/api/auth.test")
        assert no_auth.status_code == 200 and no_auth.json() == {"ok": False, "error": "not_authed"}
        unknown = await http.post(
            f"{slack.base_url}/api/chat.frobnicate", headers={"Authorization": f"Bearer {TOKEN}"}
        )
        assert unknown.json()["error"] == "unknown_method"
    client = web_client(slack)
    for call, error in [
        (client.chat_postMessage(channel="C404", text="x"), "channel_not_found"),
        (client.chat_postMessage(channel="C1"), "no_text"),
        (client.chat_update(channel="C1", ts="1.000001", text="x"), "message_not_found"),
        (client.users_info(user="U404"), "user_not_found"),
        (client.usergroups_users_list(usergroup="S404"), "no_such_subteam"),
    ]:
        with pytest.raises(SlackApiError) as err:
            await call
        assert err.value.response["error"] == error
    assert [name for name, _ in slack.calls][:3] == ["auth.test", "auth.test", "chat.frobnicate"]


async def test_each_slack_sdk_encoding_is_understood(slack: SlackStandIn) -> None:
    client = web_client(slack)
    auth = await client.auth_test()  # POST, no body
    assert auth["user_id"] == slack.bot_user_id and auth["team_id"] == slack.team_id
    user = (await client.users_info(user="U2"))["user"]  # GET with query
    assert user["name"] == "bob" and user["tz"] == "America/New_York"
    assert user["tz_offset"] in (-18000, -14400)
    opened = await client.conversations_open(users="U1")  # POST with query params
    assert opened["channel"]["id"] == "DU1"
    assert (await client.conversations_open(users="U1"))["already_open"] is True
    posted = await client.chat_postMessage(  # JSON body
        channel="DU1", text="hi", metadata={"event_type": "t", "event_payload": {"k": "v"}}
    )
    async with httpx.AsyncClient() as http:  # form body, blocks as a JSON string
        form = await http.post(
            f"{slack.base_url}/api/chat.update",
            data={
                "channel": "DU1",
                "ts": posted["ts"],
                "text": "hi again",
                "blocks": json.dumps([{"type": "section", "text": {"type": "mrkdwn", "text": "x"}}]),
            },
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
    assert form.json()["ok"] and form.json()["message"]["edited"]["user"] == slack.bot_user_id
    plain = await client.conversations_history(channel="DU1", limit=10)
    assert [m["text"] for m in plain["messages"]] == ["hi again"] and "metadata" not in plain["messages"][0]
    rich = await client.conversations_history(channel="DU1", limit=10, include_all_metadata=True)
    assert rich["messages"][0]["metadata"]["event_payload"] == {"k": "v"}
    slack.add_usergroup("S1", ["U1", "U2"])
    assert (await client.usergroups_users_list(usergroup="S1"))["users"] == ["U1", "U2"]


async def test_views_open_needs_a_fresh_single_use_trigger() -> None:
    clock = FakeClock()
    standin = SlackStandIn(bot_token=TOKEN, clock=clock)
    standin.add_user("U1", "alice")
    view = name_form()
    async with standin.serve():
        client = web_client(standin)
        stale = standin.issue_trigger_id("U1")
        clock.now += 3.5
        with pytest.raises(SlackApiError) as err:
            await client.views_open(trigger_id=stale, view=view)
        assert err.value.response["error"] == "expired_trigger_id"
        with pytest.raises(SlackApiError) as err:
            await client.views_open(trigger_id="123.456.abc", view=view)
        assert err.value.response["error"] == "invalid_trigger_id"
        fresh = standin.issue_trigger_id("U1")
        too_long = dict(view, title={"type": "plain_text", "text": "x" * 25})
        with pytest.raises(SlackApiError) as err:
            await client.views_open(trigger_id=fresh, view=too_long)
        assert err.value.response["error"] == "invalid_arguments"
        opened = (await client.views_open(trigger_id=fresh, view=view))["view"]
        assert opened["id"].startswith("V") and opened["state"] == {"values": {}}
        assert opened["root_view_id"] == opened["id"] and opened["callback_id"] == "apply"
        assert standin.last_view_for("U1") == opened
        with pytest.raises(SlackApiError) as err:
            await client.views_open(trigger_id=fresh, view=view)  # single use
        assert err.value.response["error"] == "expired_trigger_id"
        updated = await client.views_update(view_id=opened["id"], view=dict(view, callback_id="apply2"))
        assert updated["view"]["id"] == opened["id"] and updated["view"]["callback_id"] == "apply2"
        home = {"type": "home", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}]}
        published = await client.views_publish(user_id="U1", view=home)
        assert standin.home_tabs["U1"]["id"] == published["view"]["id"]


async def test_outages_and_forced_failures(slack: SlackStandIn) -> None:
    client = web_client(slack)
    slack.fail_next("chat.postMessage", times=1, status=429, retry_after=7)
    with pytest.raises(SlackApiError) as err:
        await client.chat_postMessage(channel="C1", text="x")
    assert err.value.response.status_code == 429 and err.value.response.headers["Retry-After"] == "7"
    slack.fail_next("users.info", error="fatal_error", status=200)
    with pytest.raises(SlackApiError) as err:
        await client.users_info(user="U1")
    assert err.value.response["error"] == "fatal_error"
    slack.down = True
    async with httpx.AsyncClient() as http:
        resp = await http.post(
            f"{slack.base_url}/api/auth.test", headers={"Authorization": f"Bearer {TOKEN}"}
        )
    assert resp.status_code == 503 and resp.headers["content-type"].startswith("text/plain")
    with pytest.raises(SlackApiError):
        await client.auth_test()
    slack.down = False
    assert (await client.auth_test())["ok"]
