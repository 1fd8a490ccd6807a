"""Validating a request form, rule by rule: each field type has its check (`TYPE_CHECKS`), then the
money rules (currency, amount, the cap per request), the date rule of the kind (`DATE_RULES`), the
receipt of an expense, and the summary line of the kind (`SUMMARIES`). Nothing is stored; a bad
form raises InvalidInput naming each bad field."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from bot.config import Settings
from bot.program.errors import InvalidInput
from bot.program.money import MoneyError, currency_code, fmt, parse_amount
from bot.program.requests.fields import FIELDS, RequestField
from bot.program.requests.kinds import KIND_LABELS, KINDS

URL_PATTERN = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")

Check = Callable[[str], tuple[str, str | None]]  # value -> (cleaned value, problem or None)


def clean(value: str | None) -> str:
    text = unicodedata.normalize("NFC", value or "")
    # Drop control characters except newlines and tabs; keep every script and emoji.
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc").strip()


def first_line(text: str, limit: int = 80) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _check_url(value: str) -> tuple[str, str | None]:
    return value, None if URL_PATTERN.match(value) else "Please give a web link starting with https://"


def _check_count(value: str) -> tuple[str, str | None]:
    if not value.isascii() or not value.isdigit() or not 0 < int(value) <= 1_000_000:
        return value, "Please give a whole number of people, like 40."
    return str(int(value)), None


def _check_date(value: str) -> tuple[str, str | None]:
    if not _DATE.match(value):
        return value, "Please pick a date (YYYY-MM-DD)."
    try:
        date.fromisoformat(value)
    except ValueError:
        return value, "That is not a date in the calendar."
    return value, None


TYPE_CHECKS: Mapping[str, Check] = {"url": _check_url, "count": _check_count, "date": _check_date}

# kind -> (the date field, whether a date breaks the rule given today, what the person is told)
DATE_RULES: Mapping[str, tuple[str, Callable[[date, date], bool], str]] = {
    "hardware": ("needed_by", lambda day, today: day < today, "That date has passed; when do you need it?"),
    "expense": (
        "spent_on",
        lambda day, today: day > today,
        "That date is in the future; claim an expense once it is made.",
    ),
}

SUMMARIES: Mapping[str, Callable[[Mapping[str, str], Decimal | None, str | None], str]] = {
    "hardware": lambda d, _amount, _currency: first_line(d["items"]),
    "expense": lambda d, amount, currency: f"{fmt(amount, currency)} — {first_line(d['description'], 60)}",
    "swag": lambda d, _amount, _currency: f"{first_line(d['event'], 60)} ({d['attendees']} attendees)",
}


@dataclass(frozen=True)
class Cleaned:
    details: dict[str, str]
    amount: Decimal | None
    currency: str | None
    on_date: date | None
    summary: str


def _field(spec: RequestField, raw: str | None) -> tuple[str, str | None]:
    value = clean(raw)
    if spec.required and not value:
        return value, "Please fill this in."
    if len(value) > spec.max_len and spec.type not in ("amount", "currency"):
        return value, f"Please keep this under {spec.max_len} characters (it has {len(value)})."
    check = TYPE_CHECKS.get(spec.type)
    return check(value) if value and check else (value, None)


def _money(
    kind: str, details: Mapping[str, str], problems: dict[str, str], settings: Settings | None
) -> tuple[Decimal | None, str | None]:
    limits = settings.requests if settings else None
    currency: str | None = None
    amount: Decimal | None = None
    if details.get("currency") and "currency" not in problems:
        try:
            currency = currency_code(details["currency"], limits.currencies if limits else ())
        except MoneyError as err:
            problems["currency"] = str(err)
    if details.get("amount") and "amount" not in problems:
        try:
            amount = parse_amount(details["amount"], currency or "EUR")
        except MoneyError as err:
            problems["amount"] = str(err)
    if amount is not None and not details.get("currency") and "currency" not in problems:
        problems["currency"] = "Please give the currency of the amount, like EUR."
    if details.get("currency") and not details.get("amount") and "amount" not in problems:
        problems["amount"] = "Please give the amount for this currency, or leave both empty."
    cap = limits.kind(kind).max_amount.get(currency) if limits and currency and amount is not None else None
    if cap is not None and amount is not None and amount > cap:
        problems["amount"] = (
            f"{KIND_LABELS[kind]} requests are limited to {fmt(cap, currency)} each; "
            "please split it or talk to a moderator."
        )
    return amount, currency


def _on_date(kind: str, details: Mapping[str, str], problems: dict[str, str], today: date) -> date | None:
    rule = DATE_RULES.get(kind)
    if rule is None:
        return None
    key, breaks, message = rule
    if not details.get(key) or key in problems:
        return None
    on_date = date.fromisoformat(details[key])
    if breaks(on_date, today):
        problems[key] = message
    return on_date


def _receipt(details: dict[str, str], problems: dict[str, str], files: Sequence[Mapping[str, Any]]) -> None:
    upload = next(iter(files), None)
    if upload:
        details["receipt_file"] = clean(str(upload.get("name") or upload.get("title") or "receipt"))[:200]
        details["receipt_file_id"] = str(upload.get("id") or "")[:40]
        link = str(upload.get("permalink") or upload.get("url_private") or "")
        details["receipt_file_url"] = link[:500] if URL_PATTERN.match(link) else ""
    elif not details.get("receipt_url") and "receipt_url" not in problems:
        problems["receipt_url"] = "Please give a link to the receipt, or upload the receipt file."


def validate_request(
    kind: str,
    form: Mapping[str, str | None],
    files: Sequence[Mapping[str, Any]] = (),
    *,
    today: date,
    settings: Settings | None = None,
) -> Cleaned:
    """Clean a request form or raise InvalidInput naming each bad field; nothing is stored."""
    if kind not in FIELDS:
        raise InvalidInput(f"Unknown kind of request {kind[:20]!r}; use {', '.join(KINDS)}.")
    details: dict[str, str] = {}
    problems: dict[str, str] = {}
    for spec in FIELDS[kind]:
        if spec.type == "file":
            continue
        details[spec.key], problem = _field(spec, form.get(spec.key))
        if problem:
            problems[spec.key] = problem
    amount, currency = _money(kind, details, problems, settings)
    on_date = _on_date(kind, details, problems, today)
    if kind == "expense":
        _receipt(details, problems, files)
    if problems:
        raise InvalidInput("Some answers need fixing.", problems)
    details = {k: v for k, v in details.items() if k not in ("amount", "currency") and v}
    return Cleaned(details, amount, currency, on_date, SUMMARIES[kind](details, amount, currency))
