"""Strict readers for webhook payload fields: a wrong shape is a 400, never a crash."""

from __future__ import annotations

from typing import Any


class Malformed(ValueError):
    pass


def obj(payload: dict[str, Any], key: str) -> dict[str, Any]:
    value = payload.get(key)
    if not isinstance(value, dict):
        raise Malformed(f"body has no {key!r} object")
    return value


def integer(d: dict[str, Any], key: str, *, optional: bool = False) -> int | None:
    value = d.get(key)
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, str) and value.lstrip("-").isdigit():
            return int(value)
        raise Malformed(f"{key!r} must be an integer")
    return value


def req_int(d: dict[str, Any], key: str) -> int:
    value = integer(d, key)
    assert value is not None
    return value


def text(d: dict[str, Any], key: str, *, optional: bool = False, limit: int = 200_000) -> str:
    value = d.get(key)
    if value is None and optional:
        return ""
    if not isinstance(value, str):
        raise Malformed(f"{key!r} must be a string")
    return value[:limit]
