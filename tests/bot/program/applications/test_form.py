"""The application form's rules (`bot/program/applications/form.py`), table-driven, without I/O."""

from __future__ import annotations

import pytest

from bot.program.applications.form import (
    APPLICATION_FIELDS,
    canonical_tz,
    check_fields,
    clean,
    validate_application,
    validate_reason,
    validate_renewal,
)
from bot.program.errors import InvalidInput
from bot.sandbox.harness.stack import APPLICATION


@pytest.mark.parametrize(
    ("raw", "kept"),
    [
        (None, ""),
        ("  Zoë  ", "Zoë"),
        ("a\x00b\x07c", "abc"),  # control characters go
        ("line one\nline\ttwo", "line one\nline\ttwo"),  # newlines and tabs stay
        ("Cafe\u0301", "Café"),  # NFC
        ("東京 🎉", "東京 🎉"),
    ],
)
def test_an_answer_is_cleaned(raw: str | None, kept: str) -> None:
    assert clean(raw) == kept


def test_a_complete_form_is_kept_cleaned() -> None:
    answers = validate_application({**APPLICATION, "forum_username": " @alice ", "timezone": "europe/lisbon"})
    assert answers["forum_username"] == "alice"
    assert answers["timezone"] == "Europe/Lisbon"
    assert set(answers) == {spec.key for spec in APPLICATION_FIELDS}


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        ("name", "   ", "Please fill this in."),
        ("expertise", "", "Please fill this in."),
        ("motivation", "x" * 3001, "Please keep this under 3000 characters (it has 3001)."),
        ("forum_username", "@", "Please fill this in."),
        ("forum_username", "a b", "Forum usernames use letters, digits"),
        ("forum_username", "x" * 61, "Please keep this under 60 characters"),
        ("timezone", "Mars/Olympus", "Unknown timezone"),
    ],
)
def test_each_bad_answer_is_named(field: str, value: str, problem: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        validate_application({**APPLICATION, field: value})
    assert list(caught.value.fields) == [field]
    assert caught.value.fields[field].startswith(problem)


def test_links_may_be_left_empty_and_every_problem_is_named_at_once() -> None:
    assert validate_application({**APPLICATION, "links": ""})["links"] == ""
    with pytest.raises(InvalidInput) as caught:
        validate_application({})
    assert set(caught.value.fields) == {s.key for s in APPLICATION_FIELDS if s.required}


def test_check_fields_cleans_every_field_and_lists_problems() -> None:
    cleaned, problems = check_fields(APPLICATION_FIELDS, {"name": " Al ", "links": "x" * 2001})
    assert cleaned["name"] == "Al" and cleaned["location"] == ""
    assert problems["links"] == "Please keep this under 2000 characters (it has 2001)."
    assert "name" not in problems and problems["location"] == "Please fill this in."


@pytest.mark.parametrize(
    ("form", "problems"),
    [
        ({"reaffirm": "Yes", "plans": " More meetups "}, {}),
        ({"reaffirm": "I re-affirm", "plans": "x"}, {}),
        ({"reaffirm": "maybe", "plans": "x"}, {"reaffirm"}),
        ({"reaffirm": "yes", "plans": " "}, {"plans"}),
        ({"reaffirm": "yes", "plans": "x" * 3001}, {"plans"}),
        ({}, {"reaffirm", "plans"}),
    ],
)
def test_a_renewal_reaffirms_and_says_its_plans(form: dict[str, str], problems: set[str]) -> None:
    if not problems:
        assert validate_renewal(form) == clean(form["plans"])
        return
    with pytest.raises(InvalidInput) as caught:
        validate_renewal(form)
    assert set(caught.value.fields) == problems


def test_a_rejection_reason_is_required_and_bounded() -> None:
    assert validate_reason("  Please link two contributions.  ") == "Please link two contributions."
    with pytest.raises(InvalidInput, match="Please give a reason"):
        validate_reason(" \x00 ")
    with pytest.raises(InvalidInput, match="Reason too long") as caught:
        validate_reason("x" * 2001)
    assert caught.value.fields == {"reason": "Please keep the reason under 2000 characters."}


@pytest.mark.parametrize(
    ("name", "canonical"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("america/new york", "America/New_York"),
        ("UTC", "UTC"),
        ("Nowhere/Atlantis", None),
        ("../etc/passwd", None),
    ],
)
def test_timezone_names(name: str, canonical: str | None) -> None:
    assert canonical_tz(name) == canonical
