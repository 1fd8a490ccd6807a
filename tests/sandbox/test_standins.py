"""The Slack and Discourse stand-ins and their actors, over real HTTP with the real client libraries."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
from pydiscourse import DiscourseClient
from pydiscourse.exceptions import DiscourseClientError
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.sandbox.discourse import DiscourseActor, DiscourseStandIn, post_payload
from bot.sandbox.http import free_port, serve_asgi
from bot.sandbox.slack import SlackActor, SlackStandIn

TOKEN = "xoxb-test"
SECRET = "test-signing-secret"
FORUM_KEY = "forum-key"

# Discourse's own spec vector (spec/jobs/emit_web_hook_event_spec.rb), see
# tests/fixtures/signature_vector_discourse_spec.json (copied from the shared fixtures).
DISCOURSE_SPEC_SECRET = "my_lovely_secret_for_web_hook"
DISCOURSE_SPEC_BODY = b'{"ping":"OK"}'
DISCOURSE_SPEC_SIGNATURE = "sha256=162f107f6b5022353274eb1a7197885cfd35744d8d08e5bcea025d309386b7d6"


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


@pytest.fixture
async def slack() -> AsyncIterator[SlackStandIn]:
    standin = SlackStandIn(bot_token=TOKEN, signing_secret=SECRET)
    standin.add_user("U1", "alice")
    standin.add_user("U2", "bob", tz="America/New_York")
    standin.add_channel("C1", "general", bot_member=True)
    async with standin.serve():
        yield standin


@pytest.fixture
async def forum() -> AsyncIterator[DiscourseStandIn]:
    standin = DiscourseStandIn(api_key=FORUM_KEY, api_username="system")
    standin.add_user("alice", "Alice A.")
    standin.add_user("bob")
    standin.add_badge("Ambassador", badge_id=105)
    standin.add_group("ambassadors", group_id=41)
    async with standin.serve():
        yield standin


def web_client(standin: SlackStandIn, token: str = TOKEN) -> AsyncWebClient:
    return AsyncWebClient(token=token, base_url=f"{standin.base_url}/api/")


def pydiscourse_client(forum: DiscourseStandIn, key: str = FORUM_KEY) -> DiscourseClient:
    return DiscourseClient(forum.base_url, api_username="system", api_key=key)


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


# ---------------------------------------------------------------------- Slack actor


async def test_slack_actor_requests_verify_with_slack_sdk(slack: SlackStandIn) -> None:
    receiver = Receiver()
    verifier = SignatureVerifier(SECRET)
    async with serve_asgi(receiver.app) as bot_url, SlackActor(slack, bot_url, SECRET) as actor:
        resp = await actor.slash("U1", "apply now", channel_id="C1")
        assert resp.status_code == 200
        headers, body = receiver.requests[-1]
        assert verifier.is_valid_request(body, headers)
        assert headers["content-type"] == "application/x-www-form-urlencoded"
        fields = {k: v[0] for k, v in parse_qs(body.decode(), keep_blank_values=True).items()}
        assert list(fields) == [
            "token",
            "team_id",
            "team_domain",
            "channel_id",
            "channel_name",
            "user_id",
            "user_name",
            "command",
            "text",
            "api_app_id",
            "is_enterprise_install",
            "response_url",
            "trigger_id",
        ]
        assert fields["command"] == "/ambassador" and fields["text"] == "apply now"
        assert fields["channel_name"] == "general" and fields["user_name"] == "alice"
        assert fields["trigger_id"] == actor.last_trigger_id
        assert fields["response_url"].startswith(slack.base_url + "/_standin/response/")

        await actor.event({"type": "app_mention", "user": "U1", "text": "hi", "channel": "C1"})
        headers, body = receiver.requests[-1]
        assert verifier.is_valid_request(body, headers)
        assert json.loads(body)["type"] == "event_callback"

        await actor.slash("U1", "x", secret_override="not-the-secret")
        headers, body = receiver.requests[-1]
        assert not verifier.is_valid_request(body, headers)
        await actor.slash("U1", "x", timestamp_override=1531420618)
        headers, body = receiver.requests[-1]
        assert not verifier.is_valid_request(body, headers)


async def test_actor_click_and_submit_follow_slack_shapes(slack: SlackStandIn) -> None:
    client = web_client(slack)
    posted = await client.chat_postMessage(
        channel="C1",
        text="Application #1",
        blocks=[
            {"type": "section", "text": {"type": "mrkdwn", "text": "Application #1"}},
            {
                "type": "actions",
                "block_id": "review",
                "elements": [
                    {
                        "type": "button",
                        "action_id": "approve",
                        "text": {"type": "plain_text", "text": "Approve"},
                        "value": "1",
                    }
                ],
            },
        ],
    )
    view = modal(
        "Reject",
        "Reject",
        text_input("reason", "Reason", "reason_input"),
        {
            "type": "input",
            "block_id": "kind",
            "optional": True,
            "label": {"type": "plain_text", "text": "Kind"},
            "element": {
                "type": "static_select",
                "action_id": "kind_select",
                "options": [
                    {"text": {"type": "plain_text", "text": "Spam"}, "value": "spam"},
                    {"text": {"type": "plain_text", "text": "Other"}, "value": "other"},
                ],
            },
        },
    )
    receiver = Receiver()
    receiver.answers = [
        lambda body: Response(status_code=200),  # the click
        lambda body: JSONResponse({"response_action": "errors", "errors": {"reason": "Too short"}}),
        lambda body: Response(status_code=200),
    ]
    async with serve_asgi(receiver.app) as bot_url, SlackActor(slack, bot_url, SECRET) as actor:
        with pytest.raises(ValueError):
            await actor.click("U2", "C1", posted["ts"], "no_such_button")
        await actor.click("U2", "C1", posted["ts"], "approve")
        payload = json.loads(_form_payload(receiver.requests[-1][1]))
        assert payload["type"] == "block_actions"
        assert payload["actions"][0]["block_id"] == "review" and payload["actions"][0]["value"] == "1"
        assert payload["container"] == {
            "type": "message",
            "message_ts": posted["ts"],
            "channel_id": "C1",
            "is_ephemeral": False,
        }
        assert payload["message"]["ts"] == posted["ts"] and payload["user"]["username"] == "bob"

        # The bot answers through the response URL, replacing the original message.
        async with httpx.AsyncClient() as http:
            ok = await http.post(payload["response_url"], json={"replace_original": True, "text": "Approved"})
        assert ok.text == "ok"
        assert slack.find_message("C1", posted["ts"])["text"] == "Approved"  # type: ignore[index]
        assert slack.responses[-1]["text"] == "Approved"

        opened = (await client.views_open(trigger_id=payload["trigger_id"], view=view))["view"]
        inputs = actor.form_view_inputs(opened["id"])
        assert [(i.block_id, i.element_type, i.optional) for i in inputs] == [
            ("reason", "plain_text_input", False),
            ("kind", "static_select", True),
        ]
        with pytest.raises(ValueError):
            await actor.submit_view("U2", opened["id"], {"kind": {"kind_select": "spam"}})  # required missing
        resp = await actor.submit_view(
            "U2", opened["id"], {"reason": {"reason_input": "no"}, "kind": {"kind_select": "spam"}}
        )
        assert resp.json()["response_action"] == "errors" and opened["id"] in slack.views
        submitted = json.loads(_form_payload(receiver.requests[-1][1]))
        assert submitted["type"] == "view_submission"
        assert submitted["view"]["state"]["values"] == {
            "reason": {"reason_input": {"type": "plain_text_input", "value": "no"}},
            "kind": {
                "kind_select": {
                    "type": "static_select",
                    "selected_option": {"text": {"type": "plain_text", "text": "Spam"}, "value": "spam"},
                }
            },
        }
        await actor.submit_view("U2", opened["id"], {"reason": {"reason_input": "Duplicate application"}})
        assert opened["id"] not in slack.views and slack.last_view_for("U2") is None


def _form_payload(body: bytes) -> str:
    return parse_qs(body.decode())["payload"][0]


async def test_a_bolt_app_runs_against_the_standin(slack: SlackStandIn) -> None:
    from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
    from slack_bolt.async_app import AsyncApp

    bolt = AsyncApp(client=web_client(slack), signing_secret=SECRET)

    @bolt.command("/ambassador")
    async def command(ack: Any, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        await client.views_open(
            trigger_id=body["trigger_id"],
            view=name_form(),
        )

    @bolt.view("apply")
    async def submitted(ack: Any, view: dict[str, Any], body: dict[str, Any], client: AsyncWebClient) -> None:
        name = view["state"]["values"]["name"]["name"]["value"]
        if len(name) < 3:
            await ack(response_action="errors", errors={"name": "Too short"})
            return
        await ack()
        await client.chat_postMessage(channel=body["user"]["id"], text=f"Thanks {name}")

    handler = AsyncSlackRequestHandler(bolt)

    async def endpoint(request: Request) -> Response:
        return await handler.handle(request)

    app = Starlette(routes=[Route("/slack/events", endpoint, methods=["POST"])])
    async with serve_asgi(app) as bot_url, SlackActor(slack, bot_url, SECRET) as actor:
        assert (await actor.slash("U1", "apply")).status_code == 200
        view = slack.last_view_for("U1")
        assert view is not None and view["callback_id"] == "apply"
        resp = await actor.submit_view("U1", view["id"], {"name": {"name": "Al"}})
        assert resp.json() == {"response_action": "errors", "errors": {"name": "Too short"}}
        assert actor.last_view_errors == {"name": "Too short"}
        resp = await actor.submit_view("U1", view["id"], {"name": {"name": "Alice"}})
        assert resp.status_code == 200 and slack.last_view_for("U1") is None
        for _ in range(100):
            if slack.dms_to("U1"):
                break
            await asyncio.sleep(0.02)
        assert slack.dms_to("U1")[0]["text"] == "Thanks Alice"
        bad = await actor.slash("U1", "apply", secret_override="wrong-secret")
        assert bad.status_code == 401


# ---------------------------------------------------------------------- Discourse stand-in


async def test_pydiscourse_grants_lists_and_manages_groups(forum: DiscourseStandIn) -> None:
    client = pydiscourse_client(forum)
    granted = await asyncio.to_thread(client.grant_badge_to, "alice", 105)
    assert granted["user_badge"]["badge_id"] == 105 and granted["user_badge"]["granted_by_id"] == -1
    assert granted["badges"][0]["name"] == "Ambassador"
    again = await asyncio.to_thread(client.grant_badge_to, "alice", 105)
    assert again["user_badge"]["id"] == granted["user_badge"]["id"]  # not multiple_grant: no duplicate
    listed = await asyncio.to_thread(client.user_badges, "alice")
    assert [ub["badge_id"] for ub in listed["user_badges"]] == [105]
    assert forum.badges_of("alice") == ["Ambassador"]

    added = await asyncio.to_thread(client.add_group_members, 41, ["alice"])
    assert added == {"success": "OK", "usernames": ["alice"], "emails": []}
    with pytest.raises(DiscourseClientError) as err:
        await asyncio.to_thread(client.add_group_member, 41, "alice")
    assert "already a member" in str(err.value) and err.value.response.status_code == 422
    members = await asyncio.to_thread(client.group_members, "ambassadors")
    assert [m["username"] for m in members] == ["alice"]
    assert forum.members_of("ambassadors") == {"alice"}
    removed = await asyncio.to_thread(client.delete_group_member, 41, "bob")
    assert removed == {"success": "OK", "usernames": [], "skipped_usernames": ["bob"]}

    user = await asyncio.to_thread(client.user, "alice")
    assert user["username"] == "alice" and user["badge_count"] == 1
    pm = await asyncio.to_thread(
        client.create_post,
        "Welcome aboard, alice! Here is your checklist.",
        title="Welcome",
        archetype="private_message",
        target_recipients="alice",
    )
    assert pm["post_number"] == 1 and pm["topic_id"] > 0
    assert [p["raw"] for p in forum.pms_to("alice")] == ["Welcome aboard, alice! Here is your checklist."]
    assert len(forum.calls_to("POST", "/user_badges")) == 2
    assert forum.events[0][0] == "user_badge_granted"


async def test_discourse_validation_and_auth_errors(forum: DiscourseStandIn) -> None:
    async with httpx.AsyncClient(base_url=forum.base_url) as http:
        auth = {"Api-Key": FORUM_KEY, "Api-Username": "system"}
        bad = await http.get("/admin/badges.json", headers={"Api-Key": "nope", "Api-Username": "system"})
        assert bad.status_code == 403 and bad.json()["error_type"] == "invalid_access"
        ok = await http.get("/admin/badges.json", headers=auth)
        assert ok.headers["content-type"] == "application/json; charset=utf-8"
        assert ok.json()["badges"][0]["id"] == 105 and ok.json()["badge_types"]
        missing = await http.post("/user_badges.json", data={"badge_id": "105"}, headers=auth)
        assert missing.status_code == 400
        assert missing.json()["errors"] == ["param is missing or the value is empty: username"]
        nobody = await http.post(
            "/user_badges.json", data={"username": "zed", "badge_id": "105"}, headers=auth
        )
        assert nobody.status_code == 404 and nobody.json()["error_type"] == "not_found"
        no_badge = await http.post(
            "/user_badges", data={"username": "alice", "badge_id": "999"}, headers=auth
        )
        assert no_badge.status_code == 404
        reason = await http.post(
            "/user_badges", data={"username": "alice", "badge_id": "105", "reason": "thanks!"}, headers=auth
        )
        assert reason.status_code == 400 and reason.json() == {
            "failed": "FAILED",
            "message": "Reason must be a link to a post or topic",
        }
        short = await http.post(
            "/posts.json", data={"raw": "hi", "title": "A valid topic title"}, headers=auth
        )
        assert short.status_code == 422 and "too short" in short.json()["errors"][0]
        assert (await http.get("/groups/nope.json", headers=auth)).status_code == 404
        assert (await http.get("/nothing/here.json", headers=auth)).status_code == 404
        info = await http.get("/site/basic-info.json")  # no credentials needed
        assert info.status_code == 200 and info.json()["title"] == "Sandbox Forum"
        forum.down = True
        down = await http.get("/admin/badges.json", headers=auth)
        assert down.status_code == 502 and down.headers["content-type"].startswith("text/html")
        forum.down = False
        forum.fail_next("PUT", "/groups/", times=1, status=500)
        failed = await http.put("/groups/41/members.json", json={"usernames": "bob"}, headers=auth)
        assert failed.status_code == 500
        assert forum.calls[-1][:2] == ("PUT", "/groups/41/members.json") and forum.calls[-1][3] == 500


async def test_the_61st_admin_call_in_a_minute_is_rate_limited() -> None:
    clock = FakeClock()
    forum = DiscourseStandIn(api_key=FORUM_KEY, clock=clock)
    forum.add_user("alice")
    async with forum.serve():
        client = pydiscourse_client(forum)
        await asyncio.to_thread(client.user, "alice")
        async with httpx.AsyncClient(base_url=forum.base_url) as http:
            auth = {"Api-Key": FORUM_KEY, "Api-Username": "system"}
            for _ in range(58):
                clock.now += 0.5
                assert (await http.get("/u/alice.json", headers=auth)).status_code == 200
            await asyncio.to_thread(client.badges)  # the 60th
            clock.now += 1.0
            limited = await http.get("/u/alice.json", headers=auth)
            assert limited.status_code == 429
            wait = int(limited.headers["Retry-After"])
            assert 1 <= wait <= 60 and wait == limited.json()["extras"]["wait_seconds"]
            assert limited.headers["Discourse-Rate-Limit-Error-Code"] == "admin_api_key_rate_limit"
            assert limited.headers["content-type"] == "application/json; charset=utf-8"
            assert limited.json()["error_type"] == "rate_limit"
            assert forum.rate_limited == 1
            clock.now += wait
            assert (await http.get("/u/alice.json", headers=auth)).status_code == 200


# ---------------------------------------------------------------------- Discourse actor


async def test_discourse_actor_ping_matches_discourse_spec_vector() -> None:
    # The copy in tests/fixtures, so a fresh clone checks it too (not a path on one machine).
    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "signature_vector_discourse_spec.json"
    vector = json.loads(fixture.read_text())
    assert (vector["secret"], vector["body"].encode(), vector["signature"]) == (
        DISCOURSE_SPEC_SECRET,
        DISCOURSE_SPEC_BODY,
        DISCOURSE_SPEC_SIGNATURE,
    )
    receiver = Receiver()
    async with serve_asgi(receiver.app) as bot_url:
        async with DiscourseActor(bot_url, DISCOURSE_SPEC_SECRET) as actor:
            resp = await actor.send("ping", {})
            assert resp.status_code == 200
            headers, body = receiver.requests[-1]
            assert body == DISCOURSE_SPEC_BODY
            assert headers["x-discourse-event-signature"] == DISCOURSE_SPEC_SIGNATURE
            assert headers["content-length"] == "13" and headers["content-type"] == "application/json"
            assert headers["x-discourse-event-type"] == "ping" and headers["x-discourse-event"] == "ping"
            assert headers["x-discourse-event-id"] == "1"
            assert headers["user-agent"].startswith("Discourse/")

            payload = post_payload(12, "alice", 10, "Hello forum", topic_title="Hello")
            await actor.send("post_created", payload)
            headers, body = receiver.requests[-1]
            assert json.loads(body) == {"post": payload}
            assert headers["x-discourse-event-type"] == "post" and headers["x-discourse-event-id"] == "2"
            assert headers["x-discourse-event-signature"] == actor.signature(body)
            await actor.send("user_badge_granted", actor.user_badge_payload(13, 105, 1, -1))
            assert receiver.requests[-1][0]["x-discourse-event-type"] == "user_badge"
            await actor.send("user_added_to_group", actor.group_user_payload(41, 1))
            assert receiver.requests[-1][0]["x-discourse-event-type"] == "group_user"
            await actor.send("user_created", actor.user_payload(4, "adsad", None, "a@example.org"))
            assert json.loads(receiver.requests[-1][1])["user"]["username"] == "adsad"
            await actor.send("ping", {}, event_id=99, signature_override="sha256=bad")
            assert receiver.requests[-1][0]["x-discourse-event-signature"] == "sha256=bad"
            assert receiver.requests[-1][0]["x-discourse-event-id"] == "99"
