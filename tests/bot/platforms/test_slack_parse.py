"""The strict Slack parser on real payloads (tests/fixtures/slack, see PROVENANCE.md): every shape
Slack sends parses, and each shape the hostile-edge issue found is refused as Malformed."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest

import bot.platforms.slack.parse as inbound
from bot.platforms.slack import inbound as slack_in

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "slack"


def fixture(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text())
    return data


def test_real_payloads_parse_into_their_kinds() -> None:
    click = inbound.parse(fixture("block_actions.json"))
    assert isinstance(click, inbound.Click)
    assert (click.user.id, click.action.action_id, click.action.value) == ("W111", "a", "click_me_123")
    assert (click.channel_id, click.message_ts, click.view_id) == ("C111", "111.222", None)
    sent = inbound.parse(fixture("view_submission.json"))
    assert isinstance(sent, inbound.Submission)
    assert (sent.callback_id, sent.values) == ("view-id", {"hspI": "test"})
    assert sent.private_metadata == "This is for you!"
    assert sent.input_blocks == {"hspI"}
    home = inbound.parse(fixture("app_home_opened_event_callback.json"))
    assert isinstance(home, inbound.Event) and home.type == "app_home_opened" and home.user
    joined = inbound.parse(fixture("team_join_event_callback.json"))
    assert isinstance(joined, inbound.Event) and joined.type == "team_join" and joined.user is None
    form = (FIXTURES / "slash_command_slack_docs.form").read_text()
    text, fields = slack_in.decode(form.encode(), "application/x-www-form-urlencoded")
    command = inbound.parse(fields)
    assert isinstance(command, inbound.SlashCommand)
    assert (command.command, command.text, command.user.id) == ("/weather", "94070", "U2147483697")
    assert text == form


def _with(payload: dict[str, Any], path: tuple[str | int, ...], value: object) -> dict[str, Any]:
    out = copy.deepcopy(payload)
    node: Any = out
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return out


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("actions",), []),
        (("type",), "interactive_message"),
        (("user",), "W111"),
        (("actions", 0, "action_id"), 7),
        (("channel",), 5),
        (("team",), 5),
        (("container",), "message"),
        (("trigger_id",), None),
    ],
)
def test_click_shapes_slack_never_sends_are_malformed(path: tuple[str | int, ...], value: object) -> None:
    with pytest.raises(inbound.Malformed):
        inbound.parse(_with(fixture("block_actions.json"), path, value))


@pytest.mark.parametrize("key", ["view", "event"])
def test_a_click_with_view_or_event_null_is_malformed(key: str) -> None:
    # Bolt reads both as body.get(key, {}).get(...): a null there would crash it.
    with pytest.raises(inbound.Malformed):
        inbound.parse(_with(fixture("block_actions.json"), (key,), None))


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("view", "state", "values"), "hspI"),
        (("view", "state", "values", "hspI"), ["x"]),
        (("view", "state", "values", "hspI", "maBWU", "value"), 5),
        (("view",), None),
        (("view", "callback_id"), 3),
        (("view", "private_metadata"), '{"application_id": 1180591620717411303424}'),
        (("view", "private_metadata"), '{"application_id": true}'),
    ],
)
def test_submission_shapes_slack_never_sends_are_malformed(
    path: tuple[str | int, ...], value: object
) -> None:
    with pytest.raises(inbound.Malformed):
        inbound.parse(_with(fixture("view_submission.json"), path, value))


def test_event_null_is_malformed() -> None:
    with pytest.raises(inbound.Malformed):
        inbound.parse(_with(fixture("app_home_opened_event_callback.json"), ("event",), None))


@pytest.mark.parametrize(
    "value", ["²", "١٢", "12" * 15, str(2**70), str(2**63), "0", "-3", " 7", "7\n", "", "3.0", "1e3"]
)
def test_ids_are_ascii_digits_in_range(value: str) -> None:
    assert inbound.ident(value) is None


def test_ids_accept_the_database_range() -> None:
    assert inbound.ident("1") == 1 and inbound.ident(str(2**31 - 1)) == 2**31 - 1
    assert inbound.ident(2**70) is None and inbound.ident(True) is None


def test_booking_values_need_a_real_date_in_sane_years() -> None:
    assert inbound.series_slot("2|20261203T1700Z") == (2, datetime(2026, 12, 3, 17, 0, tzinfo=UTC))
    for value in ("2|99991231T2359Z", "2|20260231T1000Z", "²|20261203T1700Z", "2", "2|", None):
        assert inbound.series_slot(value) is None


@pytest.mark.parametrize(
    ("body", "ctype"),
    [
        (b"payload=%7Bnot+json", "application/x-www-form-urlencoded"),
        (b"[1, 2]", "application/json"),
        (b"42", "application/json"),
        (b"null", "application/json"),
        (b'"text"', "application/json"),
        (b"[" * 10_000, "application/json"),
        (b"payload=" + b"%5B" * 10_000, "application/x-www-form-urlencoded"),
        (b"\xff\xfe{}", "application/json"),
        (b"", "application/x-www-form-urlencoded"),
        (b"text=hello", "application/x-www-form-urlencoded"),
    ],
)
def test_bodies_bolt_would_crash_on_are_malformed(body: bytes, ctype: str) -> None:
    with pytest.raises(slack_in.Malformed):
        slack_in.decode(body, ctype)


def test_a_command_mentioning_payload_reaches_bolt_as_a_command() -> None:
    # Bolt takes any form body containing "payload" for an interaction; the text it gets reads the same.
    body = b"command=%2Fambassador&text=find+payload&user_id=U1&trigger_id=1.2.3"
    text, fields = slack_in.decode(body, "application/x-www-form-urlencoded")
    assert "payload" not in text and dict(parse_qsl(text)) == fields and fields["text"] == "find payload"
