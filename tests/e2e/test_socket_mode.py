"""Slack over Socket Mode, end to end over a real WebSocket on loopback: the bot opens it with
apps.connections.open, the stand-in delivers envelopes and reads the acks; reconnects lose nothing
and handle nothing twice; what Slack would not send is acknowledged and dropped."""

from __future__ import annotations

import asyncio
import json
import logging
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.doctor import run_doctor
from bot.sandbox.harness.procs import write_config
from bot.sandbox.harness.stack import (
    ALICE,
    APPLICATION,
    BOB,
    GENERAL,
    MOD,
    MOD_CHANNEL,
    Stack,
    form_values,
    make_standins,
    start_stack,
)
from bot.sandbox.harness.stack import test_settings as stack_settings
from bot.sandbox.http import free_port, serve_asgi
from bot.server import create_app
from storage.models import Application


@pytest.fixture
async def sstack(db_url: str) -> AsyncIterator[Stack]:
    async with start_stack(db_url, socket_mode=True) as s:
        s.slack.socket_mode.redeliver_seconds = 1.0
        yield s


def _slash_payload(stack: Stack, user: str, text: str) -> dict[str, str]:
    """A slash command as a Socket Mode envelope carries it (the form fields, as strings)."""
    return {
        "token": stack.slack.verification_token,
        "team_id": stack.slack.team_id,
        "channel_id": GENERAL,
        "user_id": user,
        "user_name": "alice",
        "command": "/ambassador",
        "text": text,
        "api_app_id": stack.slack.app_id,
        "response_url": stack.slack.make_response_url(GENERAL, None, user),
        "trigger_id": stack.slack.issue_trigger_id(user),
    }


async def _approve_and_check_welcome(stack: Stack, review_ts: str) -> None:
    resp = await stack.actor.click(MOD, MOD_CHANNEL, review_ts, "application_approve")
    assert resp.status_code == 200
    await stack.settle()
    dms = stack.slack.dms_to(ALICE)
    assert len(dms) == 1 and "Welcome" in dms[0]["text"]
    assert stack.forum.badges_of("alice") == ["Ambassador"]


async def test_apply_approve_welcome_over_socket_mode(sstack: Stack) -> None:
    server = sstack.slack.socket_mode
    review = await sstack.apply()
    assert "application #1" in review["text"].lower()
    await _approve_and_check_welcome(sstack, review["ts"])
    # It all went over the socket: one connection (with its hello), one ack per envelope, and
    # the bot asked apps.connections.open with the app token, not the bot token.
    assert server.hellos == 1
    assert sorted(a["envelope_id"] for a in server.acks) == sorted(e["envelope_id"] for e in server.delivered)
    assert len(sstack.slack.calls_to("apps.connections.open")) == 1
    # The slash command's answer came back as the ack's payload.
    status = (await sstack.actor.slash(ALICE, "status")).json()["text"]
    assert "You are an ambassador" in status


async def test_http_route_is_off_in_socket_mode_even_when_signed(sstack: Stack) -> None:
    body = "command=%2Fambassador&text=help&user_id=U0ALICE&trigger_id=1.2.3"
    headers = {"Content-Type": "application/x-www-form-urlencoded", **sstack.actor.sign(body)}
    resp = await sstack.actor.http.post(f"{sstack.bot_url}/slack/events", content=body, headers=headers)
    assert resp.status_code == 404
    assert "Socket Mode" in resp.json()["error"]


@pytest.mark.parametrize("how", ["refresh_requested", "warning", "drop"])
async def test_reconnect_in_the_middle_loses_nothing_and_repeats_nothing(sstack: Stack, how: str) -> None:
    server = sstack.slack.socket_mode
    resp = await sstack.actor.slash(ALICE, "apply")
    view = await sstack.wait_for_view(ALICE)
    # Slack asks for a new connection (or the socket drops) between opening and sending the form.
    if how == "drop":
        await server.drop()
    elif how == "warning":
        await server.disconnect("warning")
    else:
        await server.disconnect("refresh_requested")
    await server.wait_connected(count=2)
    resp = await sstack.actor.submit_view(ALICE, view["id"], form_values(APPLICATION))
    assert resp.status_code == 200 and sstack.actor.last_view_errors is None
    await sstack.settle()
    review = sstack.review_messages()[-1]
    # Both clicks go out at once while the socket is being replaced once more.
    click = asyncio.create_task(sstack.actor.click(MOD, MOD_CHANNEL, review["ts"], "application_approve"))
    await server.disconnect("refresh_requested")
    await click
    await sstack.settle()
    async with sstack.runtime.uow() as uow:
        apps = list((await uow.session.execute(select(Application))).scalars())
    assert [a.status for a in apps] == ["approved"]
    assert len(sstack.slack.dms_to(ALICE)) == 1
    assert len(sstack.forum.calls_to("POST", "/user_badges")) == 1
    # Every envelope was handled exactly once, however often it was delivered.
    distinct = {e["envelope_id"] for e in server.delivered}
    assert sstack.runtime.socket_mode is not None
    assert sstack.runtime.socket_mode.handled == len(distinct) == 3


async def test_redelivered_envelope_is_handled_once(sstack: Stack) -> None:
    server = sstack.slack.socket_mode
    payload = _slash_payload(sstack, BOB, "help")
    first = await server.deliver("slash_commands", payload, envelope_id="Esame-1")
    again = await server.deliver("slash_commands", payload, envelope_id="Esame-1")
    assert "/ambassador apply" in first["text"]
    assert again == {}  # acknowledged, not answered a second time
    # An Events API retry comes in a new envelope with the same event_id: handled once too.
    event = {"type": "app_home_opened", "user": BOB, "channel": "DU0BOB", "tab": "home", "event_ts": "1.2"}
    for _ in range(2):
        callback = {"type": "event_callback", "event_id": "Ev0SAME", "team_id": "T0SANDBOX", "event": event}
        await server.deliver("events_api", callback)
    await sstack.settle()
    assert len(sstack.slack.calls_to("views.publish")) == 1


async def test_unacked_envelope_is_delivered_again_and_handled_once(sstack: Stack) -> None:
    server = sstack.slack.socket_mode
    server.hold_acks()  # the bot's first ack is lost on the way: Slack delivers it again
    task = asyncio.create_task(server.deliver("slash_commands", _slash_payload(sstack, BOB, "help")))
    while len(server.acks) < 1:
        await asyncio.sleep(0.02)
    server.hold_acks(False)
    answer = await task
    assert answer == {}  # the redelivery's ack: the command was answered (and handled) once
    assert len(server.delivered) == 2
    assert sstack.runtime.socket_mode is not None and sstack.runtime.socket_mode.handled == 1


async def test_malformed_frames_are_dropped_with_one_line(
    sstack: Stack, caplog: pytest.LogCaptureFixture
) -> None:
    server = sstack.slack.socket_mode
    secret = "SECRET-PAYLOAD-TEXT"
    caplog.set_level(logging.INFO)
    bad_slash = {"command": "no-slash", "text": secret, "user_id": ALICE, "trigger_id": "1"}
    click = {"type": "block_actions", "user": {"id": ALICE}, "actions": [], "text": secret}
    frames: list[str | dict[str, object]] = [
        "{not json " + secret,
        json.dumps({"type": "slash_commands", "payload": {"text": secret}}),  # no envelope_id
        {"envelope_id": "Ebad-1", "type": "slash_commands", "payload": bad_slash},
        {"envelope_id": "Ebad-2", "type": "slash_commands", "payload": click},  # the wrong kind
        {"envelope_id": "Ebad-3", "type": "interactive", "payload": [secret]},
        {"envelope_id": "Ebad-4", "type": "carrier_pigeon", "payload": {"text": secret}},
        {"envelope_id": "Ebad-5", "type": "slash_commands", "payload": {"text": "x" * 1_100_000}},
    ]
    calls = len(sstack.slack.calls)
    for frame in frames:
        await server.send_frame(frame)
    # The ones that name an envelope are acknowledged (without an answer) so Slack stops resending.
    for _ in range(200):
        if {"Ebad-1", "Ebad-2", "Ebad-3", "Ebad-4"} <= {a["envelope_id"] for a in server.acks}:
            break
        await asyncio.sleep(0.02)
    acked = {a["envelope_id"]: a for a in server.acks}
    assert {"Ebad-1", "Ebad-2", "Ebad-3", "Ebad-4"} <= set(acked)
    assert all("payload" not in acked[e] for e in ("Ebad-1", "Ebad-2", "Ebad-3", "Ebad-4"))
    await sstack.settle()
    assert len(sstack.slack.calls) == calls  # nothing was done
    dropped = [r for r in caplog.records if r.name == "ambassador_bot.socket_mode"]
    assert len(dropped) == len(frames)
    assert all(r.exc_info is None and secret not in r.getMessage() for r in caplog.records)
    # The connection still works.
    assert "/ambassador apply" in (await sstack.actor.slash(BOB, "help")).json()["text"]


async def test_run_with_a_refused_app_token_exits_with_one_line(tmp_path: Path) -> None:
    slack, forum = make_standins()
    async with slack.serve() as slack_url, forum.serve() as forum_url:
        config = tmp_path / "config.toml"
        # No signing secret: Socket Mode does not need one, so the app token is what is refused.
        slack_section = {"app_token": "xapp-1-A0-1-wrong", "signing_secret": None}
        db = f"sqlite+aiosqlite:///{tmp_path}/bot.db"
        write_config(config, db, free_port(), slack_url, forum_url, slack=slack_section)
        argv = [sys.executable, "-m", "bot.cli", "--config", str(config), "run"]
        proc = await asyncio.to_thread(
            subprocess.run, argv, capture_output=True, text=True, timeout=60, check=False
        )
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert "invalid_auth" in lines[0] and "connections:write" in lines[0]
    assert "xapp-1-A0-1-wrong" not in proc.stderr
    assert slack.calls_to("apps.connections.open")  # it did ask Slack


async def test_server_does_not_start_on_a_refused_app_token(
    db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """The lifespan (what `run` would reach without its check first) fails with one log line."""
    slack, forum = make_standins()
    async with slack.serve() as slack_url, forum.serve() as forum_url:
        settings = stack_settings(db_url, slack_url, forum_url, slack={"app_token": "xapp-1-A0-1-nope"})
        with pytest.raises(RuntimeError):  # uvicorn's words differ between versions
            async with serve_asgi(create_app(settings, auto_migrate=True)):
                pass
    refused = [r for r in caplog.records if "Slack refused slack.app_token" in r.getMessage()]
    assert len(refused) == 1 and "invalid_auth" in refused[0].getMessage()
    assert "xapp-1-A0-1-nope" not in caplog.text


async def test_doctor_checks_the_app_token_and_says_how_to_fix_it(sstack: Stack) -> None:
    opened = len(sstack.slack.calls_to("apps.connections.open"))
    lines: list[str] = []
    settings = sstack.settings.replace(slack={"signing_secret": ""})  # not needed in Socket Mode
    assert await run_doctor(settings, lines.append), "\n".join(lines)
    assert "  ok    Socket Mode: Slack opens a connection for slack.app_token" in lines
    assert not any("signing_secret" in line for line in lines)
    assert sstack.slack.socket_mode.hellos == 1  # the check opened no second socket

    lines.clear()
    wrong = settings.replace(slack={"app_token": "xapp-1-A0-1-revoked"})
    assert not await run_doctor(wrong, lines.append)
    report = "\n".join(lines)
    assert "FAIL  Slack refused slack.app_token (apps.connections.open: invalid_auth)" in report
    assert "connections:write" in report and "xapp-1-A0-1-revoked" not in report
    assert len(sstack.slack.calls_to("apps.connections.open")) == opened + 2
