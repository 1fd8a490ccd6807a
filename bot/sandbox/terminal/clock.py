"""The sandbox's clock: the bot reads the time only through it (its ``Clock`` port), so ``advance``
can let days or years pass in a moment. Between commands it runs on with the wall clock, so the
outbox's retries and the scheduler's 30-second sweeps behave as they do in production."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

UNITS = {"m": timedelta(minutes=1), "h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}
YEAR = timedelta(days=365)
LONGEST = 10 * YEAR  # a longer jump only makes the sandbox churn through years of office hours
_PIECE = re.compile(r"(\d{1,6})([mhdwy])")
USAGE = "usage: advance <duration>, e.g. advance 3d, advance 6h, advance 2y (units: m, h, d, w, y)"


class SandboxClock:
    """Wall-clock time moved on by ``advance``/``set`` (it never goes back)."""

    def __init__(self, start: datetime | None = None) -> None:
        self._base = start or datetime.now(UTC)
        self._mono = time.monotonic()

    def now(self) -> datetime:
        return self._base + timedelta(seconds=time.monotonic() - self._mono)

    def set(self, moment: datetime) -> None:
        """Move the clock to ``moment`` (a moment already past is ignored: time only goes forward)."""
        if moment > self.now():
            self._base, self._mono = moment, time.monotonic()

    def advance(self, delta: timedelta) -> None:
        self.set(self.now() + delta)


def parse_duration(text: str) -> timedelta:
    """``3d``, ``6h``, ``30m``, ``1w``, ``2y`` or pieces of them (``1d12h``); a ValueError says
    in one line what is wrong."""
    text = text.strip().lower().replace(" ", "")
    if not text:
        raise ValueError(USAGE)
    if text.startswith("-"):
        raise ValueError(f"time only moves forward in the sandbox: {text!r} is not allowed")
    pos, total = 0, timedelta()
    for m in _PIECE.finditer(text):
        if m.start() != pos:
            break
        count, unit = int(m.group(1)), m.group(2)
        total += YEAR * count if unit == "y" else UNITS[unit] * count
        pos = m.end()
        if total > LONGEST:
            raise ValueError(f"{text!r} is too far: the sandbox advances at most 10 years at a time")
    if pos != len(text) or not total:
        raise ValueError(f"{text!r} is not a duration; {USAGE}")
    return total


def zone_of(name: str | None) -> ZoneInfo | None:
    try:
        return ZoneInfo(name) if name else None
    except (ZoneInfoNotFoundError, ValueError):
        return None


def describe(moment: datetime, zone_name: str | None = None) -> str:
    """``Tue 2026-12-01 19:43 UTC`` and, when the person has a zone, the same moment there."""
    utc = moment.astimezone(UTC)
    text = f"{utc:%a %Y-%m-%d %H:%M} UTC"
    zone = zone_of(zone_name)
    if zone is not None and zone_name != "UTC":
        local = moment.astimezone(zone)
        text += f" ({local:%a %Y-%m-%d %H:%M} {zone_name})"
    return text


def span(delta: timedelta) -> str:
    """A duration as people say it: 3 days, 1 year and 2 days, 6 hours."""
    days, seconds = delta.days, delta.seconds
    years, days = divmod(days, 365)
    parts = [(years, "year"), (days, "day"), (seconds // 3600, "hour"), (seconds % 3600 // 60, "minute")]
    words = [f"{n} {unit}{'' if n == 1 else 's'}" for n, unit in parts if n]
    return " and ".join(words[:2]) if words else "less than a minute"
