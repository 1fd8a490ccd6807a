"""Recurrence in a series' own timezone: the one place that turns a rule and a wall time into
instants, so reminders, `/ambassador events`, cancel/skip, EXDATE and the feed always agree.

- The RRULE is expanded on the *wall time* (naive local time), then each instance is placed in the
  timezone. An instance whose wall time does not exist (the spring-forward gap, e.g. 02:30 on
  2027-03-14 in America/New_York) is kept and moved forward by the length of the gap (03:30 EDT):
  the wall time read with the offset in force before the gap, as RFC 5545 §3.3.5 says for a
  DATE-TIME with a TZID and as icalendar, recurring-ical-events and ical.js all do. A wall time
  that occurs twice (the fall-back overlap) means its first occurrence, in daylight time.
- UNTIL is stored in UTC (`UNTIL=20271224T000000Z`), the only form RFC 5545 allows next to a
  DTSTART with a TZID; a floating UNTIL is refused on the way in rather than guessed at.
- A local date's occurrences are found between the zone's real midnights, so a 23- or 25-hour
  day is searched whole and no further.
- Reminder offsets in days are calendar days in the series' timezone (RFC 5545 §3.3.6: "1d" before
  18:00 is 18:00 the day before, even across a change of clocks); hours and minutes are exact.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rrulestr

WALL_FORMAT = "%Y-%m-%dT%H:%M"
DAY_MINUTES = 1440
_UNTIL = re.compile(r"^(\d{8})(T(\d{6})(Z)?)?$")


class RecurrenceError(ValueError):
    """A rule that cannot be expanded or carried by the calendar feed (the message says why)."""


@dataclass(frozen=True)
class Instance:
    wall: datetime  # the rule's local wall time (naive), as EXDATE names it
    start: datetime  # the instant it takes place (UTC)


def normalise_rrule(text: str) -> str:
    """The RRULE in the one form the bot stores and the feed carries: upper case, no `RRULE:`,
    UNTIL in UTC. Raises RecurrenceError with a message for the person who wrote it."""
    v = text.strip()
    if v.upper().startswith("RRULE:"):
        v = v[len("RRULE:") :]
    parts: list[str] = []
    names: set[str] = set()
    freq = ""
    for raw in v.split(";"):
        if not raw.strip():
            continue
        name, sep, value = raw.partition("=")
        name, value = name.strip().upper(), value.strip().upper()
        if not sep or not name or not value:
            raise RecurrenceError(f"{raw.strip()!r} is not NAME=VALUE (e.g. FREQ=MONTHLY;BYDAY=1TH)")
        if name == "UNTIL":
            value = _until_utc(value)
        elif name in _RANGES:
            _check_range(name, value)
        if name == "FREQ":
            freq = value
        names.add(name)
        parts.append(f"{name}={value}")
    if "FREQ" not in names:
        raise RecurrenceError("it needs a FREQ, e.g. FREQ=MONTHLY;BYDAY=1TH")
    if freq in ("SECONDLY", "MINUTELY"):
        raise RecurrenceError("events repeat at most hourly (FREQ=HOURLY, DAILY, WEEKLY, MONTHLY, YEARLY)")
    if {"UNTIL", "COUNT"} <= names:
        raise RecurrenceError("use UNTIL or COUNT, not both (RFC 5545 §3.3.10)")
    out = ";".join(parts)
    try:
        _rule(out, datetime(2026, 1, 1, 12, 0))
    except (ValueError, TypeError, KeyError) as err:
        raise RecurrenceError(str(err) or "not a valid RRULE") from None
    return out


# RFC 5545 §3.3.10's ranges (dateutil loops forever on INTERVAL=0 and fails late on BYHOUR=25).
_RANGES: dict[str, tuple[int, int, bool]] = {  # name: (low, high, negative values allowed)
    "INTERVAL": (1, 1000, False),
    "COUNT": (1, 100_000, False),
    "BYSECOND": (0, 60, False),
    "BYMINUTE": (0, 59, False),
    "BYHOUR": (0, 23, False),
    "BYMONTHDAY": (1, 31, True),
    "BYYEARDAY": (1, 366, True),
    "BYWEEKNO": (1, 53, True),
    "BYMONTH": (1, 12, False),
    "BYSETPOS": (1, 366, True),
}


def _check_range(name: str, value: str) -> None:
    low, high, signed = _RANGES[name]
    for item in value.split(","):
        if not re.fullmatch(r"[+-]?\d{1,6}", item):
            raise RecurrenceError(f"{name}={value}: {item!r} is not a whole number")
        n = int(item)
        if not (low <= abs(n) <= high) or (n < 0 and not signed) or (n == 0 and low > 0):
            allowed = f"±{low}..{high}" if signed else f"{low}..{high}"
            raise RecurrenceError(f"{name}={value}: {item} is out of range ({allowed})")


def _until_utc(value: str) -> str:
    m = _UNTIL.match(value)
    if not m:
        raise RecurrenceError(f"UNTIL={value} is not a time like UNTIL=20271224T000000Z")
    if not m.group(4):
        # A floating UNTIL (or a date) next to a start with a timezone is not allowed by RFC 5545
        # §3.3.10, and calendar apps read it differently: ask for the unambiguous form instead.
        raise RecurrenceError(
            f"UNTIL={value} has no timezone: write it in UTC with a Z, like UNTIL={m.group(1)}T000000Z"
        )
    try:
        datetime.strptime(m.group(1) + m.group(3), "%Y%m%d%H%M%S")
    except ValueError:
        raise RecurrenceError(f"UNTIL={value} is not a real date and time") from None
    return value


def _rule(text: str, wall_start: datetime) -> tuple[rrule, datetime | None]:
    """The rule without its UNTIL (expanded on naive wall time), and the UNTIL instant (UTC)."""
    until: datetime | None = None
    kept = []
    for part in text.split(";"):
        name, _, value = part.partition("=")
        if name == "UNTIL":
            until = datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        else:
            kept.append(part)
    parsed = rrulestr(";".join(kept), dtstart=wall_start)
    if not isinstance(parsed, rrule):
        raise RecurrenceError("only one RRULE is supported")
    return parsed, until


def to_instant(wall: datetime, tz: ZoneInfo) -> datetime:
    """UTC instant of a naive wall time: a time in the gap moves forward by the gap (the offset
    before it applies), a time in the overlap is its first occurrence."""
    return wall.replace(tzinfo=tz, fold=0).astimezone(UTC)


def parse_wall(text: str) -> datetime:
    return datetime.strptime(text, WALL_FORMAT)


class Recurrence:
    """One series' rule on its wall time in its timezone."""

    def __init__(self, rrule_text: str, start_local: str, timezone: str) -> None:
        try:
            self.tz = ZoneInfo(timezone)
        except (ValueError, KeyError):  # ZoneInfoNotFoundError is a KeyError
            raise RecurrenceError(f"unknown timezone {timezone!r}") from None
        try:
            self.first = parse_wall(start_local)
        except ValueError:
            raise RecurrenceError(f"start {start_local!r} is not like 2026-01-01T17:00") from None
        try:
            self._rrule, self._until = _rule(normalise_rrule(rrule_text), self.first)
        except RecurrenceError:
            raise
        except (ValueError, TypeError, KeyError) as err:
            raise RecurrenceError(str(err) or "not a valid RRULE") from None

    def instances(self, start: datetime, end: datetime) -> list[Instance]:
        """Instances whose instant is in [start, end)."""
        # Wall time and UTC differ by at most a day, so expand a day wider and filter by instant.
        lo = start.astimezone(self.tz).replace(tzinfo=None) - timedelta(days=1)
        hi = end.astimezone(self.tz).replace(tzinfo=None) + timedelta(days=1)
        out = []
        for wall in self._rrule.between(lo, hi, inc=True):
            instant = to_instant(wall, self.tz)
            if self._until is not None and instant > self._until:
                break
            if start <= instant < end:
                out.append(Instance(wall, instant))
        return out

    def on_local_date(self, day: date) -> Instance | None:
        """The (first) occurrence on `day` in the series' timezone, between its real midnights."""
        begin = to_instant(datetime.combine(day, time()), self.tz)
        end = to_instant(datetime.combine(day + timedelta(days=1), time()), self.tz)
        found = self.instances(begin, end)
        return found[0] if found else None

    def at(self, instant: datetime) -> Instance | None:
        """The instance that takes place at `instant`, if any."""
        found = self.instances(instant, instant + timedelta(seconds=1))
        return found[0] if found else None


def reminder_due(occurrence: Instance, offset_minutes: int, tz: ZoneInfo) -> datetime:
    """When a reminder `offset_minutes` before the occurrence is due: a whole number of days
    ("1d", "7d", "2w") is calendar days, at the same wall time (placed like any wall time); any
    other offset ("1h", "90m", "36h") is exact."""
    if offset_minutes <= 0 or offset_minutes % DAY_MINUTES:
        return occurrence.start - timedelta(minutes=offset_minutes)
    return to_instant(occurrence.wall - timedelta(days=offset_minutes // DAY_MINUTES), tz)
