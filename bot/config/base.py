"""What every settings section shares: the strict base model, the one-line `ConfigError`, and the
checks more than one section makes (Slack user ids, unique keys)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict


class ConfigError(Exception):
    """A configuration problem, phrased as one line for a person."""


class Section(BaseModel):
    """A settings table: unknown keys are errors, values never change after loading."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def slack_user_ids(cls: type, v: tuple[str, ...]) -> tuple[str, ...]:
    """A field validator (as a classmethod): every item a Slack user id such as U012ABCDEF."""
    for uid in v:
        if not uid or uid[0] not in "UW" or not uid.isalnum():
            raise ValueError(f"{uid!r} is not a Slack user id (like U012ABCDEF)")
    return v


def timezone_name(cls: type, v: str) -> str:
    """A field validator (as a classmethod): an IANA timezone name such as Europe/London."""
    try:
        ZoneInfo(v)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown timezone {v!r} (use a name like Europe/London)") from None
    return v


class _Keyed(Protocol):
    @property
    def key(self) -> str: ...


def unique_keys(what: str, items: Iterable[_Keyed]) -> None:
    """ValueError naming the repeated keys, e.g. "event keys must be unique; repeated: a, b"."""
    keys = [item.key for item in items]
    dupes = sorted({k for k in keys if keys.count(k) > 1})
    if dupes:
        raise ValueError(f"{what} keys must be unique; repeated: {', '.join(dupes)}")
