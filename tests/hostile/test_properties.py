"""Property-based checks: whatever people type, the parser and the form validation answer with a
clear result or a clear, field-specific problem, and never crash."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.program.applications import APPLICATION_FIELDS, validate_application
from bot.program.commands import HELP, KNOWN, MAX_COMMAND_TEXT, parse, user_ref
from bot.program.errors import InvalidInput

NASTY = st.sampled_from(
    [
        "<!channel>",
        "<@U0ALICE|alice>",
        "'; DROP TABLE people; --",
        "{{7*7}}",
        "${jndi:ldap://x}",
        "\u202e\u0000\u0007",
        "🎉" * 50,
        "ｆｕｌｌｗｉｄｔｈ",
        "x" * 40_000,
        "\n\n\n",
        "<script>alert(1)</script>",
    ]
)
TEXT = st.one_of(st.text(max_size=300), NASTY, st.text(alphabet=st.characters(), min_size=0, max_size=5000))


@given(TEXT)
@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
def test_parser_never_crashes_and_names_only_known_commands(text: str) -> None:
    parsed = parse(text)
    assert parsed.name in KNOWN
    if parsed.problem is not None:
        assert parsed.name == "help" and len(parsed.problem) < 200
    if len(text.strip()) > MAX_COMMAND_TEXT:
        assert parsed.problem is not None and "too long" in parsed.problem


@given(st.sampled_from([e.name for e in HELP]), TEXT)
def test_known_commands_keep_their_arguments(name: str, rest: str) -> None:
    parsed = parse(f"{name} {rest}")
    if len(f"{name} {rest}".strip()) <= MAX_COMMAND_TEXT:
        assert parsed.name == name
        assert " ".join(parsed.args) == " ".join(rest.split())


@given(TEXT)
def test_user_references_are_strict(text: str) -> None:
    ref = user_ref(text)
    assert ref is None or (ref[0] in "UW" and ref.isalnum() and len(ref) <= 21)


FIELD_VALUES = st.fixed_dictionaries({spec.key: st.one_of(st.none(), TEXT) for spec in APPLICATION_FIELDS})


@given(FIELD_VALUES)
@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
def test_application_validation_accepts_clean_input_or_names_each_bad_field(
    form: dict[str, str | None],
) -> None:
    try:
        cleaned = validate_application(form)
    except InvalidInput as err:
        assert err.fields and set(err.fields) <= {spec.key for spec in APPLICATION_FIELDS}
        assert all(0 < len(msg) < 200 for msg in err.fields.values())
        return
    for spec in APPLICATION_FIELDS:
        value = cleaned[spec.key]
        assert len(value) <= spec.max_len
        assert "\x00" not in value and "\x07" not in value  # control characters are dropped
        if spec.required:
            assert value


@pytest.mark.parametrize("bad", ["", " ", "a", "not a username!", "ünïcode", "x" * 61, "@"])
def test_bad_forum_usernames_are_named(bad: str) -> None:
    form = {
        "name": "A",
        "forum_username": bad,
        "location": "B",
        "timezone": "UTC",
        "expertise": "C",
        "motivation": "D",
    }
    with pytest.raises(InvalidInput) as err:
        validate_application(form)
    assert "forum_username" in err.value.fields
