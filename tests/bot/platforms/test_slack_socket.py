"""Socket Mode's config and its strict reading of frames and envelopes (table-driven, no I/O)."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest

from bot.cli.base import secrets_in
from bot.config import ConfigError, require_for_run, settings_from_mapping
from bot.logs import RedactSecrets
from bot.platforms.slack.parse import Click, Event, SlashCommand
from bot.platforms.slack.socket import parse_envelope, read_frame
from bot.platforms.strict_json import Malformed

SLACK = {"bot_token": "xoxb-1", "moderator_channel": "C0MODS"}


def test_app_token_must_be_an_app_level_token() -> None:
    with pytest.raises(ConfigError, match=r"slack.app_token: must be an app-level token starting with xapp-"):
        settings_from_mapping({"slack": {**SLACK, "app_token": "xoxb-not-an-app-token"}}, env={})


def test_env_app_token_wins_over_the_file_and_switches_to_socket_mode() -> None:
    file = {"slack": {**SLACK, "app_token": "xapp-file"}}
    s = settings_from_mapping(file, env={"SLACK_APP_TOKEN": "xapp-env"})
    assert s.slack.app_token == "xapp-env" and s.slack.socket_mode
    assert not settings_from_mapping({"slack": SLACK}, env={}).slack.socket_mode


def test_signing_secret_is_required_over_http_only() -> None:
    with pytest.raises(ConfigError, match="signing_secret") as refused:
        require_for_run(settings_from_mapping({"slack": SLACK}, env={}))
    assert "slack.app_token" in str(refused.value)  # the Socket Mode way out is named too
    require_for_run(settings_from_mapping({"slack": {**SLACK, "app_token": "xapp-1"}}, env={}))


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("not json", "not valid JSON"),
        ("[1, 2]", "not an object with a type"),
        ('{"type": 7}', "not an object with a type"),
        ('{"type": "slash_commands", "payload": {}}', "without an envelope_id"),
        ('{"type": "slash_commands", "envelope_id": 5, "payload": {}}', "malformed envelope_id"),
        ('{"type": "events_api", "envelope_id": "a b", "payload": {}}', "malformed envelope_id"),
        ('{"type": "x", "envelope_id": "' + "e" * 101 + '"}', "malformed envelope_id"),
        ("[" * 10_000, "not valid JSON"),
        (json.dumps({"type": "hello", "pad": "x" * 1_000_001}), "too large"),
    ],
)
def test_frames_slack_does_not_send_are_malformed(raw: str, problem: str) -> None:
    with pytest.raises(Malformed, match=problem):
        read_frame(raw)


@pytest.mark.parametrize("kind", ["hello", "disconnect"])
def test_control_frames_need_no_envelope_id(kind: str) -> None:
    assert read_frame(json.dumps({"type": kind, "reason": "warning"}))["type"] == kind


SLASH = {"command": "/ambassador", "text": "help", "user_id": "U0ALICE", "trigger_id": "1.2.3"}
CLICK: dict[str, Any] = {
    "type": "block_actions",
    "user": {"id": "U0ALICE"},
    "trigger_id": "1.2",
    "actions": [{"action_id": "application_approve", "block_id": "b", "type": "button", "value": "1"}],
    "container": {"type": "message", "channel_id": "C0MODS", "message_ts": "1.2"},
    "channel": {"id": "C0MODS"},
}
EVENT = {"type": "event_callback", "event_id": "Ev1", "event": {"type": "app_home_opened", "user": "U0ALICE"}}


@pytest.mark.parametrize(
    ("kind", "payload", "parsed"),
    [("slash_commands", SLASH, SlashCommand), ("interactive", CLICK, Click), ("events_api", EVENT, Event)],
)
def test_each_envelope_type_carries_its_own_kind(kind: str, payload: dict[str, Any], parsed: type) -> None:
    assert isinstance(parse_envelope(kind, payload), parsed)


@pytest.mark.parametrize(
    ("kind", "payload", "problem"),
    [
        ("slash_commands", CLICK, "Click payload does not belong in an envelope of type slash_commands"),
        ("events_api", SLASH, "SlashCommand payload does not belong in an envelope of type events_api"),
        ("interactive", EVENT, "Event payload does not belong in an envelope of type interactive"),
        ("carrier_pigeon", SLASH, "unsupported envelope type"),
        ("slash_commands", ["x"], "payload must be an object"),
        ("slash_commands", {**SLASH, "command": "ambassador"}, "must start with /"),
    ],
)
def test_wrong_or_malformed_payloads_are_refused(kind: str, payload: Any, problem: str) -> None:
    with pytest.raises(Malformed, match=problem):
        parse_envelope(kind, payload)


def test_app_token_is_redacted_from_log_lines() -> None:
    token = "xapp-1-A0123-456-0123456789abcdef"
    s = settings_from_mapping({"slack": {**SLACK}}, env={"SLACK_APP_TOKEN": token})
    record = logging.LogRecord("x", logging.WARNING, __file__, 1, "connecting with %s", (token,), None)
    RedactSecrets(secrets_in(s)).filter(record)
    assert token not in record.getMessage() and "[redacted]" in record.getMessage()


async def test_doctor_names_both_ways_when_neither_the_app_token_nor_the_signing_secret_is_set(
    tmp_path: Path,
) -> None:
    from bot.doctor import run_doctor

    lines: list[str] = []
    settings = settings_from_mapping(
        {"database": {"url": f"sqlite+aiosqlite:///{tmp_path}/x.db"}},  # no token: no call to Slack
        env={},
    )
    await run_doctor(settings, lines.append)
    text = "\n".join(lines)
    assert "slack.app_token (Socket Mode) or slack.signing_secret (HTTP) is empty" in text
    assert "SLACK_APP_TOKEN" in text
