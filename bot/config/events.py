"""The `[[events]]` series (meetups, office hours) and the `[reminders]` sweep, with the reminder
offsets both are written in ("7d", "1h")."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Literal

from pydantic import Field, field_validator

from bot.config.base import Section, timezone_name
from bot.program.events.recurrence import RecurrenceError, normalise_rrule

_OFFSET = re.compile(r"^\s*(\d+)\s*([wdhm])\s*$")


def parse_offset(text: str) -> int:
    """'2w' / '7d' / '1h' / '30m' → minutes (a whole number of days counts in calendar days of the
    series' timezone when a reminder is due: bot/program/events/recurrence.py)."""
    m = _OFFSET.match(text)
    if not m:
        raise ValueError(f"{text!r} is not an offset like 7d, 1h or 30m")
    n, unit = int(m.group(1)), m.group(2)
    return n * {"w": 7 * 1440, "d": 1440, "h": 60, "m": 1}[unit]


class EventSettings(Section):
    key: str
    title: str
    kind: Literal["meetup", "office_hours"] = "meetup"
    rrule: str
    start: str  # first occurrence in local wall time, e.g. 2026-01-01T17:00
    timezone: str
    duration_minutes: int = Field(default=60, ge=5, le=24 * 60)
    link: str = ""
    host: str = ""
    slack_channel: str = ""  # default: slack.ambassador_channel
    forum_topic_id: int | None = None
    reminders: tuple[str, ...] = ("7d", "1d", "1h")
    slot_minutes: int | None = Field(default=None, ge=5, le=240)

    @field_validator("key")
    @classmethod
    def _key(cls, v: str) -> str:
        if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,59}", v):
            raise ValueError("must be lower-case letters, digits, - and _ (e.g. monthly-meetup)")
        return v

    _tz = field_validator("timezone")(timezone_name)

    @field_validator("start")
    @classmethod
    def _start(cls, v: str) -> str:
        try:
            datetime.strptime(v, "%Y-%m-%dT%H:%M")
        except ValueError:
            raise ValueError("must look like 2026-01-01T17:00 (local time of the first occurrence)") from None
        return v

    @field_validator("rrule")
    @classmethod
    def _rrule(cls, v: str) -> str:
        # UNTIL is normalised to UTC, a form the feed cannot carry is refused (recurrence.py).
        try:
            return normalise_rrule(v)
        except RecurrenceError as err:
            raise ValueError(f"not a valid RRULE ({err})") from None

    @field_validator("reminders")
    @classmethod
    def _offsets(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for item in v:
            parse_offset(item)
        return v

    @property
    def offsets_minutes(self) -> list[int]:
        return sorted({parse_offset(x) for x in self.reminders}, reverse=True)


class ReminderSettings(Section):
    # A reminder that became due while the bot was down is still sent this long after its time
    # (and never once the event has started); otherwise it is recorded as skipped.
    grace_minutes: int = Field(default=60, ge=0, le=7 * 1440)
    sweep_seconds: float = Field(default=30.0, gt=0, le=3600)
    booking_reminder: str = "1h"
    nudge_after_days: int = Field(default=7, ge=1, le=365)
    digest_weekday: int = Field(default=0, ge=0, le=6)  # 0 = Monday
    digest_hour_utc: int = Field(default=9, ge=0, le=23)

    @field_validator("booking_reminder")
    @classmethod
    def _offset(cls, v: str) -> str:
        parse_offset(v)
        return v
