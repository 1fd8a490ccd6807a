"""Issue 12, classes 1–8: each with the exact example the issue gives, over real HTTP against the
running bot. None may answer 5xx, print a traceback or change the database."""

from __future__ import annotations

import asyncio
import json
import time
import urllib.parse
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.sandbox.harness.stack import ALICE, GENERAL, MOD, MOD_CHANNEL, Stack, start_stack
from handlers.slack.applications import views as application_views
from handlers.slack.events import views as views_events
from handlers.slack.kit import STALE
from tests.hostile.edge import FORM, JSON, discourse_headers, no_errors, post, slack_headers, snapshot

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

SLACK_JUNK = [  # class 1: each crashed Bolt's parsing with a 500 before the signature check
    (b"payload=%7Bnot+json", FORM),
    (b"[1, 2, 3]", JSON),
    (b"42", JSON),
    (b"null", JSON),
    (b'"a string"', JSON),
    (b"[" * 10_000, JSON),
    (b"payload=" + b"%5B" * 10_000, FORM),
    (b"\xff\xfe\xfd command=/ambassador", FORM),
    (b'{"type": "block_actions"', JSON),
    (b"command=%2Fambassador&text=apply", JSON),
]


async def test_class1_unsigned_junk_is_401_and_signed_junk_is_400(stack: Stack) -> None:
    before = await snapshot(stack)
    with no_errors():
        for body, ctype in SLACK_JUNK:
            unsigned = await post(stack, "/slack/events", body, {"Content-Type": ctype})
            assert unsigned.status_code == 401, (body[:40], unsigned.text)
            assert "error" in unsigned.json()
            signed = await post(stack, "/slack/events", body, slack_headers(body, ctype))
            assert signed.status_code == 400, (body[:40], signed.text)
            assert "error" in signed.json()
    assert await snapshot(stack) == before


@pytest.mark.parametrize(
    "timestamp", ["abc", "", "1e9", "1700000000.5", "9" * 400, "１７００", "-1700000000", "0x65"]
)
async def test_class2_malformed_slack_timestamps_are_401(stack: Stack, timestamp: str) -> None:
    body = b"command=%2Fambassador&text=help&user_id=U0ALICE&trigger_id=1.2.3"
    with no_errors():
        resp = await post(stack, "/slack/events", body, slack_headers(body, FORM, timestamp=timestamp))
    assert resp.status_code == 401 and "X-Slack-Request-Timestamp" in resp.json()["error"]
    assert stack.slack.calls_to("chat.postEphemeral") == []


async def test_class3_non_ascii_discourse_signature_is_401(stack: Stack) -> None:
    body = b'{"user_badge": {"id": 13, "badge_id": 105, "user_id": 1, "granted_by_id": -1}}'
    before = await snapshot(stack)
    with no_errors():
        for signature in ("sha256=é" + "0" * 63, "sha256=" + "ü" * 64, "sha256=\u2603"):
            headers: dict[str, str | bytes] = {**discourse_headers(body)}
            headers["X-Discourse-Event-Signature"] = signature.encode("utf-8")
            resp = await post(stack, "/discourse/webhooks", body, headers)
            assert resp.status_code == 401, resp.text
    assert await snapshot(stack) == before


async def test_class4_refused_requests_log_one_line_without_body_or_secrets(stack: Stack) -> None:
    marker = "FORGED-BODY-MARKER"
    big = urllib.parse.urlencode({"payload": json.dumps({"type": "block_actions", "x": marker * 25_000})})
    late_url = stack.slack.make_response_url(GENERAL, None, ALICE)
    late_trigger = stack.slack.issue_trigger_id(ALICE)
    late = urllib.parse.urlencode(
        {
            "command": "/ambassador",
            "text": "apply",
            "user_id": ALICE,
            "response_url": late_url,
            "trigger_id": late_trigger,
        }
    ).encode()
    with no_errors() as logs:
        start = len(logs.lines)
        resp = await post(stack, "/slack/events", big.encode(), {"Content-Type": FORM})
        assert resp.status_code == 401
        stale = str(int(time.time()) - 6 * 60)
        resp = await post(stack, "/slack/events", late, slack_headers(late, FORM, timestamp=stale))
        assert resp.status_code == 401 and "stale" in resp.json()["error"]
        lines = logs.lines[start:]
        assert len([line for line in lines if "refused" in line]) == 2, lines
        text = "\n".join(lines)
        assert marker not in text and late_url not in text and late_trigger not in text
        assert "/slack/events" in text and "127.0.0.1" in text and "bytes" in text
        # A flood is a few lines, not one per request.
        start = len(logs.lines)
        for _ in range(60):
            await post(stack, "/slack/events", b"x", {"Content-Type": FORM})
        assert len([line for line in logs.lines[start:] if line.startswith("ambassador_bot")]) <= 31


def _click(stack: Stack, who: str, action_id: str, value: str, **extra: Any) -> bytes:
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": {"id": who, "username": who.lower(), "name": who.lower(), "team_id": "T0TEAM"},
        "api_app_id": "A0APP",
        "container": {"type": "message", "message_ts": "1.000001", "channel_id": MOD_CHANNEL},
        "trigger_id": stack.slack.issue_trigger_id(who),
        "channel": {"id": MOD_CHANNEL, "name": "moderators"},
        "response_url": stack.slack.make_response_url(MOD_CHANNEL, None, who),
        "actions": [{"action_id": action_id, "block_id": "b", "type": "button", "value": value}],
    }
    payload.update(extra)
    return urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()


SHAPES: list[dict[str, Any]] = [
    {"actions": []},
    {"type": "interactive_message"},
    {"view": None},
    {"event": None},
    {"user": "U0MOD"},
    {"actions": [{"action_id": 12, "value": "1"}]},
    {"state": {"values": "not-an-object"}},
]


async def test_class6_signed_click_shapes_slack_never_sends(stack: Stack) -> None:
    await stack.apply()
    before = await snapshot(stack)
    with no_errors():
        for shape in SHAPES:
            body = _click(stack, MOD, application_views.APPROVE, "1", **shape)
            resp = await post(stack, "/slack/events", body, slack_headers(body))
            assert resp.status_code in (200, 400), (shape, resp.text)
        await stack.settle()
    assert await snapshot(stack) == before


@pytest.mark.parametrize("value", ["²", "1" * 30, str(2**70), str(2**63), "-1"])
async def test_class6_hostile_button_values_get_the_out_of_date_answer(stack: Stack, value: str) -> None:
    await stack.apply()
    before = await snapshot(stack)
    with no_errors():
        body = _click(stack, MOD, application_views.APPROVE, value)
        resp = await post(stack, "/slack/events", body, slack_headers(body))
        assert resp.status_code == 200
        await stack.settle()
    assert stack.slack.responses[-1]["text"] == STALE
    assert await snapshot(stack) == before


async def test_class6_booking_value_far_in_the_future_is_out_of_date(stack: Stack) -> None:
    before = await snapshot(stack)
    with no_errors():
        for action_id, value in (
            (views_events.BOOK, "2|99991231T2359Z"),
            (views_events.BOOK, "²|20261203T1700Z"),
            (f"{views_events.RSVP_PREFIX}going", "1|99991231T2359Z"),
            (views_events.CANCEL_BOOKING, str(2**70)),
        ):
            body = _click(stack, ALICE, action_id, value)
            resp = await post(stack, "/slack/events", body, slack_headers(body))
            assert resp.status_code == 200
            await stack.settle()
            assert stack.slack.responses[-1]["text"] == STALE, (action_id, value)
    assert await snapshot(stack) == before


def _badge(**user_badge: Any) -> bytes:
    return json.dumps(
        {"user_badge": {"id": 13, "badge_id": 105, "user_id": 1, "granted_by_id": -1, **user_badge}}
    ).encode()


async def test_class7_signed_discourse_poison_messages_are_400(stack: Stack) -> None:
    before = await snapshot(stack)
    bodies = [
        _badge(id="²"),
        _badge(id=2**63),
        _badge(user_id=2**70),
        _badge(badge_id="1" * 30),
        _badge(id=True),
        b"[" * 10_000 + b"]" * 10_000,
        b'{"user_badge": ' * 5_000 + b"1" + b"}" * 5_000,
        b"\xff\xfe",
    ]
    with no_errors():
        for body in bodies:
            resp = await post(stack, "/discourse/webhooks", body, discourse_headers(body))
            assert resp.status_code == 400, (body[:60], resp.text)
            assert "error" in resp.json()
        headers: dict[str, str | bytes] = {**discourse_headers(b"{}")}
        headers["X-Discourse-Event"] = "user badge ²".encode()
        assert (await post(stack, "/discourse/webhooks", b"{}", headers)).status_code == 400
    assert await snapshot(stack) == before


async def test_class8_an_empty_webhook_secret_never_turns_the_check_off(db_url: str) -> None:
    async with start_stack(db_url, discourse={"webhook_secret": ""}) as stack:
        before = await snapshot(stack)
        body = _badge(user_id=201)
        headers = {k: v for k, v in discourse_headers(body).items() if k != "X-Discourse-Event-Signature"}
        with no_errors():
            for extra in (
                {},
                {"X-Discourse-Event-Signature": ""},
                {"X-Discourse-Event-Signature": "sha256="},
            ):
                resp = await post(stack, "/discourse/webhooks", body, {**headers, **extra})
                assert resp.status_code == 401
        assert await snapshot(stack) == before
        assert stack.forum.calls_to("GET", "/admin/users") == []  # not even looked up


def test_class8_run_refuses_a_forum_without_a_webhook_secret(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        '[slack]\nbot_token = "xoxb-1"\nsigning_secret = "s3cret-s3cret"\nmoderator_channel = "C1"\n'
        '[discourse]\nurl = "https://forum.example.org"\napi_key = "k"\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["--config", str(config), "run"], env={"DISCOURSE_WEBHOOK_SECRET": ""})
    assert result.exit_code != 0
    assert "discourse.webhook_secret" in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


async def test_class8_short_secrets_are_refused_like_discourse_refuses_them(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        '[slack]\nbot_token = "xoxb-1"\nsigning_secret = "s3cret-s3cret"\nmoderator_channel = "C1"\n'
        '[discourse]\nurl = "https://forum.example.org"\napi_key = "k"\nwebhook_secret = "short"\n',
        encoding="utf-8",
    )
    result = await asyncio.to_thread(CliRunner().invoke, main, ["--config", str(config), "run"])
    assert result.exit_code != 0 and "discourse.webhook_secret" in result.output
