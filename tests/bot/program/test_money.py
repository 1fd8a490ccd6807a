"""Amounts and currencies: strict parsing, clear messages, the config's limits."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings, settings_from_mapping
from bot.program.money import MoneyError, currency_code, fmt, parse_amount

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(
    ("text", "currency", "value"),
    [
        ("12.50", "EUR", Decimal("12.50")),
        (" 0012.5 ", "EUR", Decimal("12.5")),
        ("１２", "EUR", Decimal("12")),  # full-width digits, as some keyboards type them
        ("1200", "JPY", Decimal("1200")),
        ("1.125", "BHD", Decimal("1.125")),
        ("9999999999.99", "USD", Decimal("9999999999.99")),
    ],
)
def test_good_amounts_are_exact_decimals(text: str, currency: str, value: Decimal) -> None:
    parsed = parse_amount(text, currency)
    assert parsed == value and isinstance(parsed, Decimal)


@pytest.mark.parametrize(
    ("text", "currency", "message"),
    [
        ("1e3", "EUR", "not an amount"),
        ("NaN", "EUR", "not an amount"),
        ("inf", "EUR", "not an amount"),
        ("12,50", "EUR", "use a dot"),
        ("12.", "EUR", "not an amount"),
        (".5", "EUR", "not an amount"),
        ("1 000", "EUR", "not an amount"),
        ("0x10", "EUR", "not an amount"),
        ("-1", "EUR", "more than zero"),
        ("0", "EUR", "more than zero"),
        ("", "EUR", "give the amount"),
        ("1.5", "JPY", "JPY has no decimals"),
        ("1.001", "EUR", "at most 2 decimals"),
        ("12345678901", "EUR", "too large"),
    ],
)
def test_bad_amounts_say_how_to_write_them(text: str, currency: str, message: str) -> None:
    with pytest.raises(MoneyError, match=message):
        parse_amount(text, currency)


def test_currency_codes() -> None:
    assert currency_code(" usd ") == "USD"
    for bad, message in [
        ("EUO", "not an ISO 4217"),
        ("E", "not a currency code"),
        ("XAU", "not an ISO 4217"),
    ]:
        with pytest.raises(MoneyError, match=message):
            currency_code(bad)
    with pytest.raises(MoneyError, match="EUR, USD only"):
        currency_code("GBP", ("EUR", "USD"))
    assert (
        fmt(Decimal("1250.5000"), "EUR") == "1,250.50 EUR" and fmt(Decimal("1200.0000"), "JPY") == "1,200 JPY"
    )


def test_request_limits_in_the_config() -> None:
    s = load_settings(ROOT / "config.example.toml", env={})
    assert s.requests.expense.two_approvers_above["EUR"] == Decimal("500.00")
    for toml, message in [
        (
            {"expense": {"max_amount": {"EUR": 500.5}}},
            "requests.expense.max_amount: EUR: write amounts as strings",
        ),
        ({"expense": {"two_approvers_above": {"EUX": "5"}}}, "EUX is not an ISO 4217 currency code"),
        ({"swag": {"quarterly_budget": {"EUR": "1e3"}}}, "not an amount"),
        ({"currencies": ["EUR", "euro"]}, "requests.currencies"),
        ({"gadgets": {}}, "requests.gadgets: unknown key"),
    ]:
        with pytest.raises(ConfigError, match=message):
            settings_from_mapping({"requests": toml}, env={})
