"""The Slack actor: signed requests slack_sdk verifies, clicks and submissions in Slack's shapes, and a
real Bolt app run against the stand-in."""

from __future__ import annotations

import asyncio
import json
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.sandbox.http import serve_asgi
from bot.sandbox.slack import SlackActor, SlackStandIn
from tests.sandbox.helpers import SECRET, Receiver, modal, name_form, text_input, web_client

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
        # Bolt answers the command on ack() and opens the form after it, as it would with Slack.
        view = None
        for _ in range(100):
            view = slack.last_view_for("U1")
            if view is not None:
                break
            await asyncio.sleep(0.05)
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


async def test_slash_text_is_escaped_as_slack_escapes_a_should_escape_command(slack: SlackStandIn) -> None:
    """https://api.slack.com/interactivity/slash-commands ("should_escape"): members and channels
    arrive as ``<@U…|name>`` / ``<#C…|name>``, ``@here`` as ``<!here>``; the rest stays as typed."""
    receiver = Receiver()
    async with serve_asgi(receiver.app) as bot_url, SlackActor(slack, bot_url, SECRET) as actor:
        typed = "nominate @Bob for #general, @here; not @zed, bob@example.org or <@U1> (#1)."
        await actor.slash("U1", typed, channel_id="C1")
        _headers, body = receiver.requests[-1]
        text = parse_qs(body.decode())["text"][0]
    assert text == (
        "nominate <@U2|Bob> for <#C1|general>, <!here>; not @zed, bob@example.org or <@U1> (#1)."
    )


def _prefilled_form() -> dict[str, Any]:
    """A modal whose three inputs come pre-filled: a text, a select and a user picker."""
    choice = {"text": {"type": "plain_text", "text": "Lisbon"}, "value": "lis"}
    other = {"text": {"type": "plain_text", "text": "Porto"}, "value": "opo"}
    name = text_input("name", "Name", "name")
    name["element"]["initial_value"] = "Alice Example"
    city = {
        "type": "input",
        "block_id": "city",
        "label": {"type": "plain_text", "text": "City"},
        "element": {
            "type": "static_select",
            "action_id": "city",
            "options": [choice, other],
            "initial_option": choice,
        },
    }
    host = {
        "type": "input",
        "block_id": "host",
        "label": {"type": "plain_text", "text": "Host"},
        "element": {"type": "users_select", "action_id": "host", "initial_user": "U2"},
    }
    topics = {
        "type": "input",
        "block_id": "topics",
        "label": {"type": "plain_text", "text": "Topics"},
        "element": {
            "type": "checkboxes",
            "action_id": "topics",
            "options": [choice, other],
            "initial_options": [other],
        },
    }
    day = {
        "type": "input",
        "block_id": "day",
        "label": {"type": "plain_text", "text": "Day"},
        "element": {"type": "datepicker", "action_id": "day", "initial_date": "2026-03-14"},
    }
    team = {
        "type": "input",
        "block_id": "team",
        "label": {"type": "plain_text", "text": "Team"},
        "element": {"type": "multi_users_select", "action_id": "team", "initial_users": ["U1", "U2"]},
    }
    when = {
        "type": "input",
        "block_id": "when",
        "label": {"type": "plain_text", "text": "When"},
        "element": {"type": "datetimepicker", "action_id": "when", "initial_date_time": 1773500400},
    }
    rooms = {
        "type": "input",
        "block_id": "rooms",
        "label": {"type": "plain_text", "text": "Rooms"},
        "element": {
            "type": "multi_conversations_select",
            "action_id": "rooms",
            "initial_conversations": ["C1"],
        },
    }
    return modal("Profile", "Save", name, city, host, topics, day, team, when, rooms, callback_id="profile")


async def test_a_submission_carries_what_the_form_prefilled_unless_changed(slack: SlackStandIn) -> None:
    """Slack's client submits the initial_value / initial_option(s) / initial_user(s) /
    initial_date it shows (https://api.slack.com/reference/interaction-payloads/views), in each
    element's state shape (bolt-js ViewStateValue, https://docs.slack.dev/tools/bolt-js/reference/
    interfaces/ViewStateValue: value, selected_option(s), selected_user(s), selected_date)."""
    receiver = Receiver()
    client = web_client(slack)
    async with serve_asgi(receiver.app) as bot_url, SlackActor(slack, bot_url, SECRET) as actor:
        await actor.slash("U1", "profile", channel_id="C1")
        opened = await client.views_open(trigger_id=actor.last_trigger_id, view=_prefilled_form())
        view_id = str(opened["view"]["id"])
        await actor.submit_view("U1", view_id, {"city": {"city": "opo"}})
        _headers, body = receiver.requests[-1]
    state = json.loads(_form_payload(body))["view"]["state"]["values"]
    assert state["name"]["name"] == {"type": "plain_text_input", "value": "Alice Example"}
    assert state["city"]["city"]["selected_option"]["value"] == "opo"
    assert state["host"]["host"] == {"type": "users_select", "selected_user": "U2"}
    assert [o["value"] for o in state["topics"]["topics"]["selected_options"]] == ["opo"]
    assert state["day"]["day"] == {"type": "datepicker", "selected_date": "2026-03-14"}
    assert state["team"]["team"] == {"type": "multi_users_select", "selected_users": ["U1", "U2"]}
    assert state["when"]["when"] == {"type": "datetimepicker", "selected_date_time": 1773500400}
    assert state["rooms"]["rooms"] == {"type": "multi_conversations_select", "selected_conversations": ["C1"]}
