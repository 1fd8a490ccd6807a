"""Strict readers of one field of a Slack payload, and the values the bot packs into buttons.

Each reader raises `Malformed` for a type or length Slack never sends. Values are strict too:
`ident` accepts ASCII digits within 1…2**31−1 only (``"²".isdigit()`` is True; 30 digits or 2**70
overflow the database's integers), and `slot_key` a ``YYYYMMDDTHHMMZ`` within sane years.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot.platforms.strict_json import Malformed

__all__ = ["MAX_ID", "Malformed", "User", "ident", "series_slot", "slot_key"]

# Every id the bot looks up is a 32-bit INTEGER column (storage/models.py) and Discourse's own
# ids are PostgreSQL integers too: a bigger number can only be forged, and on PostgreSQL it would
# fail in the driver rather than find nothing.
MAX_ID = 2**31 - 1
_DIGITS = re.compile(r"[0-9]{1,10}")
SLACK_ID = re.compile(r"[A-Za-z0-9_.-]{1,64}")
_SLOT = re.compile(r"(20[0-9]{2})(0[1-9]|1[0-2])([0-3][0-9])T([01][0-9]|2[0-3])([0-5][0-9])Z")
MIN_YEAR, MAX_YEAR = 2000, 2199
MAX_VALUE = 2000  # a button's value is at most 2000 characters (Block Kit button element)
MAX_TEXT = 100_000  # Slack sends at most 3000 per input; longer text gets the form's own clear answer
MAX_URL = 2000


def ident(value: object) -> int | None:
    """A positive database id from a button value or metadata, or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 1 <= value <= MAX_ID else None
    if not isinstance(value, str) or not _DIGITS.fullmatch(value):
        return None
    number = int(value)
    return number if 1 <= number <= MAX_ID else None


def slot_key(text: str) -> datetime | None:
    """``20261203T1700Z`` as an aware UTC datetime; None if malformed or out of range."""
    match = _SLOT.fullmatch(text)
    if match is None:
        return None
    year = int(match.group(1))
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    try:
        return datetime.strptime(text, "%Y%m%dT%H%MZ").replace(tzinfo=UTC)
    except ValueError:  # 20260231T1000Z
        return None


def series_slot(value: str | None) -> tuple[int, datetime] | None:
    """A ``<series id>|<slot key>`` button value (RSVP, Book)."""
    series, sep, slot = (value or "").partition("|")
    series_id, when = ident(series), slot_key(slot)
    if not sep or series_id is None or when is None:
        return None
    return series_id, when


def str_(d: Mapping[str, Any], key: str, *, limit: int = 255, required: bool = False) -> str | None:
    value = d.get(key)
    if value is None:
        if required:
            raise Malformed(f"{key!r} is missing")
        return None
    if not isinstance(value, str) or len(value) > limit:
        raise Malformed(f"{key!r} must be a string of at most {limit} characters")
    return value


def sid(d: Mapping[str, Any], key: str, *, required: bool = False) -> str | None:
    value = str_(d, key, limit=64, required=required)
    if value is not None and not SLACK_ID.fullmatch(value):
        if not required and value == "":
            return None
        raise Malformed(f"{key!r} is not a Slack id")
    return value


def obj(d: Mapping[str, Any], key: str, *, required: bool = False) -> dict[str, Any] | None:
    value = d.get(key)
    if value is None:
        if required:
            raise Malformed(f"{key!r} object is missing")
        return None
    if not isinstance(value, dict):
        raise Malformed(f"{key!r} must be an object")
    return value


def list_(d: Mapping[str, Any], key: str) -> list[Any]:
    value = d.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise Malformed(f"{key!r} must be a list")
    return value


@dataclass(frozen=True)
class User:
    id: str
    name: str = ""


def user(payload: Mapping[str, Any]) -> User:
    user = obj(payload, "user", required=True)
    assert user is not None
    uid = sid(user, "id", required=True)
    assert uid is not None
    name = str_(user, "name", limit=255) or str_(user, "username", limit=255) or ""
    return User(uid, name)
