"""Whatever people type into the bot's forms: a clean result or a named field error, never an
exception; and text from one person never pings a whole channel when the bot posts it."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.program.directory.profiles import PROFILE_FIELDS, validate_profile
from bot.program.errors import InvalidInput
from bot.program.groups import GROUP_FIELDS
from bot.program.groups import validate_request as validate_group
from bot.program.requests import FIELDS as REQUEST_FIELDS
from bot.program.requests import validate_request
from bot.sandbox.harness.stack import ALICE, AMB_CHANNEL, BOB, MOD_CHANNEL, Stack
from tests.e2e.lifecycle import make_ambassador, say
from tests.e2e.test_requests import HARDWARE, send_request

NASTY = [
    "<!channel>",
    "<!here> <!everyone>",
    "<@U0ALICE|alice>",
    "<@U9UNKNOWN>",
    "<#C0GENERAL>",
    "<https://evil.example|click me>",
    "'; DROP TABLE people; --",
    "Robert'); DELETE FROM requests;--",
    "{{7*7}} ${jndi:ldap://x}",
    "\u202e\u0000\u0007\x1b[31m",
    "🎉" * 50,
    "ｆｕｌｌｗｉｄｔｈ",
    "x" * 40_000,
    "\n\n\n",
    "<script>alert(1)</script>",
]
TEXT = st.one_of(st.sampled_from(NASTY), st.text(max_size=300), st.text(min_size=0, max_size=3000))
SETTINGS = settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)


def _checked(err: InvalidInput, keys: set[str]) -> None:
    assert err.message
    assert set(err.fields) <= keys, err.fields
    assert all(0 < len(msg) < 300 for msg in err.fields.values())


def _clean_text(value: Any) -> None:
    if isinstance(value, str):
        assert "\x00" not in value and "\x07" not in value, repr(value[:80])


@given(st.fixed_dictionaries({s.key: st.one_of(st.none(), TEXT) for s in PROFILE_FIELDS}))
@SETTINGS
def test_profile_form(form: dict[str, str | None]) -> None:
    try:
        cleaned = validate_profile(form)
    except InvalidInput as err:
        _checked(err, {s.key for s in PROFILE_FIELDS})
        return
    for spec in PROFILE_FIELDS:
        assert len(cleaned.get(spec.key, "")) <= spec.max_len
        _clean_text(cleaned.get(spec.key))


@given(st.fixed_dictionaries({s.key: st.one_of(st.none(), TEXT) for s in GROUP_FIELDS}))
@SETTINGS
def test_group_request_form(form: dict[str, str | None]) -> None:
    try:
        validate_group(form, ["U0ALICE"])
    except InvalidInput as err:
        _checked(err, {s.key for s in GROUP_FIELDS} | {"organisers"})


@pytest.mark.parametrize("kind", sorted(REQUEST_FIELDS))
@given(data=st.data())
@SETTINGS
def test_request_forms(kind: str, data: st.DataObject) -> None:
    specs = REQUEST_FIELDS[kind]
    form = data.draw(st.fixed_dictionaries({s.key: st.one_of(st.none(), TEXT) for s in specs}))
    try:
        cleaned = validate_request(kind, form, today=date(2026, 6, 1))
    except InvalidInput as err:
        _checked(err, {s.key for s in specs})
        return
    for value in cleaned.details.values():
        _clean_text(value)
    assert len(cleaned.summary) <= 200


def posted_text(stack: Stack, channel: str) -> str:
    return json.dumps(stack.slack.messages_in(channel), ensure_ascii=False)


PINGS = ("<!channel>", "<!here>", "<!everyone>")


async def test_no_channel_pings_from_what_people_type(stack: Stack) -> None:
    """An applicant's answers, a nomination reason, a request and a profile go to the moderators'
    or the ambassadors' channel: whatever they contain, nobody's phone buzzes for @channel."""
    ping = "<!channel> <!here> <!everyone> <!subteam^S123> look"
    await make_ambassador(stack, ALICE, name=f"Alice {ping}", motivation=f"Because {ping}", expertise=ping)
    review = await stack.apply(BOB, name="Bob <!here>", forum_username="bob", links=ping, location=ping)
    assert review is not None
    stack.slack.add_user("U0DAN", "dan")
    await say(stack, ALICE, f"nominate <@U0DAN> {ping}")
    await send_request(stack, ALICE, "hardware", {**HARDWARE, "purpose": ping, "items": f"1 x Pi {ping}"})
    await stack.settle()
    assert "&lt;!channel&gt;" in posted_text(stack, MOD_CHANNEL)  # shown as typed, not as a ping
    for channel in (MOD_CHANNEL, AMB_CHANNEL):
        text = posted_text(stack, channel)
        for p in (*PINGS, "<!subteam^S123>"):
            assert p not in text, f"{p} reached {channel}"
    dm = json.dumps(stack.slack.dms_to(ALICE) + stack.slack.dms_to(BOB), ensure_ascii=False)
    assert not any(p in dm for p in PINGS)
