"""The request form rules, one row each, without HTTP or a database: each row is a form and the
problem (field → message) it must be refused with, or the cleaned result it must give."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from bot.config import settings_from_mapping
from bot.program.errors import InvalidInput
from bot.program.requests import validate_request

TODAY = date(2026, 6, 1)
SETTINGS = settings_from_mapping({"requests": {"expense": {"max_amount": {"EUR": "5000"}}}}, env={})

HARDWARE = {
    "items": "2 × Raspberry Pi 5\nand cables",
    "purpose": "A demo",
    "link": "https://example.org/event",
    "shipping_country": "Portugal",
    "needed_by": "2026-07-01",
}
EXPENSE = {
    "amount": "125.50",
    "currency": "EUR",
    "spent_on": "2026-05-20",
    "description": "Room hire",
    "receipt_url": "https://example.org/receipt",
}
SWAG = {"event": "PyCon Lisbon", "attendees": "040", "address": "Rua 1, Lisboa"}
FORMS = {"hardware": HARDWARE, "expense": EXPENSE, "swag": SWAG}

# (kind, changes to the good form, the field refused, what its message says)
REFUSED: list[tuple[str, dict[str, Any], str, str]] = [
    ("hardware", {"items": ""}, "items", "Please fill this in."),
    ("hardware", {"items": "x" * 2001}, "items", "under 2000 characters (it has 2001)"),
    ("hardware", {"link": "ftp://example.org"}, "link", "starting with https://"),
    ("hardware", {"needed_by": "01/07/2026"}, "needed_by", "Please pick a date (YYYY-MM-DD)."),
    ("hardware", {"needed_by": "2026-02-30"}, "needed_by", "not a date in the calendar"),
    ("hardware", {"needed_by": "2026-05-31"}, "needed_by", "That date has passed"),
    ("hardware", {"amount": "240"}, "currency", "Please give the currency of the amount"),
    ("hardware", {"currency": "EUR"}, "amount", "or leave both empty"),
    ("expense", {"spent_on": "2026-06-02"}, "spent_on", "That date is in the future"),
    ("expense", {"receipt_url": ""}, "receipt_url", "or upload the receipt file"),
    ("expense", {"amount": "5000.01"}, "amount", "limited to"),
    ("expense", {"amount": "12,50"}, "amount", ""),
    ("expense", {"currency": "EURO"}, "currency", ""),
    ("swag", {"attendees": "0"}, "attendees", "a whole number of people"),
    ("swag", {"attendees": "４０"}, "attendees", "a whole number of people"),
    ("swag", {"attendees": "1000001"}, "attendees", "a whole number of people"),
]


@pytest.mark.parametrize(("kind", "changes", "key", "message"), REFUSED)
def test_each_rule_refuses_with_its_message(
    kind: str, changes: dict[str, Any], key: str, message: str
) -> None:
    with pytest.raises(InvalidInput) as err:
        validate_request(kind, {**FORMS[kind], **changes}, today=TODAY, settings=SETTINGS)
    assert key in err.value.fields
    assert message in err.value.fields[key]


@pytest.mark.parametrize(
    ("kind", "summary", "amount", "on_date"),
    [
        ("hardware", "2 × Raspberry Pi 5", None, date(2026, 7, 1)),
        ("expense", "125.50 EUR — Room hire", Decimal("125.50"), date(2026, 5, 20)),
        ("swag", "PyCon Lisbon (40 attendees)", None, None),
    ],
)
def test_good_forms_are_cleaned(
    kind: str, summary: str, amount: Decimal | None, on_date: date | None
) -> None:
    cleaned = validate_request(kind, FORMS[kind], today=TODAY, settings=SETTINGS)
    assert cleaned.amount == amount
    assert cleaned.on_date == on_date
    assert "amount" not in cleaned.details and "currency" not in cleaned.details
    assert cleaned.summary == summary


def test_a_count_is_normalised_and_control_characters_dropped() -> None:
    cleaned = validate_request("swag", {**SWAG, "event": "Py\x07Con"}, today=TODAY)
    assert cleaned.details["attendees"] == "40"
    assert cleaned.details["event"] == "PyCon"


def test_an_uploaded_receipt_replaces_the_link() -> None:
    upload = {"name": "receipt.pdf", "id": "F1", "permalink": "https://files.example.org/F1"}
    cleaned = validate_request("expense", {**EXPENSE, "receipt_url": ""}, [upload], today=TODAY)
    assert cleaned.details["receipt_file"] == "receipt.pdf"
    assert cleaned.details["receipt_file_id"] == "F1"
    assert cleaned.details["receipt_file_url"] == "https://files.example.org/F1"


def test_an_unknown_kind_is_refused() -> None:
    with pytest.raises(InvalidInput, match="Unknown kind of request"):
        validate_request("lunch", {}, today=TODAY)
