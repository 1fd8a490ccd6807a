"""Strict readers for the fields of a Discourse webhook payload: a wrong shape is `Malformed` (a
400), never a crash. The one part of bot.platforms.discourse that handlers import."""

from __future__ import annotations

import re
from typing import Any

from bot.platforms.strict_json import Malformed

__all__ = ["MAX_ID", "Malformed", "integer", "obj", "req_int", "text"]


def obj(payload: dict[str, Any], key: str) -> dict[str, Any]:
    value = payload.get(key)
    if not isinstance(value, dict):
        raise Malformed(f"body has no {key!r} object")
    return value


# Discourse's ids are PostgreSQL integers (discourse/discourse app/models/user_badge.rb, schema
# notes: "id :integer not null, primary key", "granted_by_id :integer"), as are the bot's own.
# Its own accounts have negative user ids (lib/discourse.rb SYSTEM_USER_ID = -1, the
# granted_by_id of automatic badges), so user ids may be negative; every other id is positive.
MAX_ID = 2**31 - 1
_DIGITS = re.compile(r"-?[0-9]{1,10}")


def integer(d: dict[str, Any], key: str, *, optional: bool = False, user: bool = False) -> int | None:
    """An id: a JSON integer, or a string of ASCII digits ("²".isdigit() is True, int() refuses
    it), within the integer range; a user id may be negative."""
    value = d.get(key)
    if value is None and optional:
        return None
    if isinstance(value, str) and _DIGITS.fullmatch(value):
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise Malformed(f"{key!r} must be an integer")
    low = -MAX_ID if user else 1
    if not low <= value <= MAX_ID:
        raise Malformed(f"{key!r} is out of range")
    return value


def req_int(d: dict[str, Any], key: str, *, user: bool = False) -> int:
    value = integer(d, key, user=user)
    assert value is not None
    return value


def text(d: dict[str, Any], key: str, *, optional: bool = False, limit: int = 200_000) -> str:
    value = d.get(key)
    if value is None and optional:
        return ""
    if not isinstance(value, str):
        raise Malformed(f"{key!r} must be a string")
    return value[:limit]
