"""The calendar feed reads the same in parsers the project did not write: two years of occurrences
in five timezones, with cancellations, a UTC UNTIL, and wall times the clocks skip or repeat.

- recurring-ical-events (on icalendar) reading the feed as served: it resolves the TZIDs with the
  tz database;
- the same with every TZID renamed, so it can only use the feed's own VTIMEZONEs;
- ical.js (the parser of Thunderbird's calendar), which always uses the VTIMEZONEs: run with node
  when node is installed and ical.js is there or can be installed from npm; skipped otherwise.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import icalendar
import pytest
import recurring_ical_events

from bot.program.events.series import occurrences
from bot.sandbox.harness.stack import MOD, FakeClock, Stack, start_stack

ZONES = ("America/New_York", "Europe/London", "Australia/Sydney", "Asia/Kolkata", "Pacific/Chatham")
WINDOW = (datetime(2027, 1, 1, tzinfo=UTC), datetime(2029, 1, 1, tzinfo=UTC))
EXPAND_JS = Path(__file__).resolve().parents[1] / "fixtures" / "ical_expand.mjs"


def _series(key: str, rrule: str, start: str, timezone: str) -> dict[str, Any]:
    return {"key": key, "title": key, "rrule": rrule, "start": start, "timezone": timezone}


SERIES = [
    # Ordinary times.
    _series("ny-evening", "FREQ=WEEKLY;BYDAY=TU", "2027-01-05T18:00", "America/New_York"),
    _series("london-meetup", "FREQ=MONTHLY;BYDAY=1TH", "2027-01-07T17:00", "Europe/London"),
    _series("sydney-evening", "FREQ=WEEKLY;BYDAY=WE", "2027-01-06T19:00", "Australia/Sydney"),
    _series("kolkata-daily", "FREQ=DAILY", "2027-01-01T20:30", "Asia/Kolkata"),
    _series("chatham-morning", "FREQ=WEEKLY;BYDAY=MO", "2027-01-04T09:00", "Pacific/Chatham"),
    _series(
        "until-fridays", "FREQ=MONTHLY;UNTIL=20271224T000000Z;BYDAY=1FR", "2027-01-01T17:00", "Europe/London"
    ),
    # Sundays at wall times that the changes of clocks skip or repeat.
    _series("ny-night", "FREQ=WEEKLY;BYDAY=SU", "2027-01-03T02:30", "America/New_York"),
    _series("ny-repeat", "FREQ=WEEKLY;BYDAY=SU", "2027-01-03T01:30", "America/New_York"),
    _series("london-night", "FREQ=WEEKLY;BYDAY=SU", "2027-01-03T01:30", "Europe/London"),
    _series("sydney-night", "FREQ=WEEKLY;BYDAY=SU", "2027-01-03T02:30", "Australia/Sydney"),
    _series("chatham-night", "FREQ=WEEKLY;BYDAY=SU", "2027-01-03T03:00", "Pacific/Chatham"),
    _series("kolkata-midnight", "FREQ=WEEKLY;BYDAY=SU", "2027-01-03T00:00", "Asia/Kolkata"),
]
CANCELLED = [
    "ny-night 2027-03-14",  # in the gap
    "ny-repeat 2027-11-07",  # in the overlap
    "london-night 2027-03-28",
    "sydney-night 2027-10-03",
    "chatham-night 2027-09-26",
    "kolkata-daily 2027-06-15",
    "london-meetup 2027-04-01",
    "ny-evening 2028-03-14",
]


@pytest.fixture
async def feed(db_url: str) -> AsyncIterator[tuple[bytes, dict[str, list[int]]]]:
    clock = FakeClock(datetime(2027, 1, 1, tzinfo=UTC))
    async with start_stack(db_url, clock=clock, events=SERIES) as stack:
        for item in CANCELLED:
            answer = (await stack.actor.slash(MOD, f"event cancel {item}")).json()["text"]
            assert "is cancelled" in answer, answer
        yield await _served(stack), await _bots_reading(stack)


async def _served(stack: Stack) -> bytes:
    async with httpx.AsyncClient() as http:
        resp = await http.get(f"{stack.bot_url}/calendar.ics")
    assert resp.status_code == 200
    return resp.content


async def _bots_reading(stack: Stack) -> dict[str, list[int]]:
    out = {}
    async with stack.runtime.uow() as uow:
        for s in await uow.calendar.active_series():
            cancelled = await uow.calendar.overrides(s.id)
            out[f"series-{s.key}@ambassador-bot"] = [
                int(o.timestamp()) for o in occurrences(s, *WINDOW) if o not in cancelled
            ]
    assert {tz for tz in (s["timezone"] for s in SERIES)} == set(ZONES)
    return out


def _recurring_ical_events(data: bytes) -> dict[str, list[int]]:
    got: dict[str, list[int]] = {}
    for ev in recurring_ical_events.of(icalendar.Calendar.from_ical(data)).between(*WINDOW):
        got.setdefault(str(ev["UID"]), []).append(int(ev.decoded("DTSTART").timestamp()))
    return {uid: sorted(v) for uid, v in got.items()}


def _renamed(data: bytes) -> bytes:
    for zone in ZONES:
        data = data.replace(f"TZID={zone}".encode(), f"TZID=Feed-Only/{zone}".encode())
        data = data.replace(f"TZID:{zone}".encode(), f"TZID:Feed-Only/{zone}".encode())
    assert b"Feed-Only/Pacific/Chatham" in data
    return data


def _same(theirs: dict[str, list[int]], ours: dict[str, list[int]]) -> dict[str, list[datetime]]:
    """Per series, the instants one reading has and the other has not (empty when they agree)."""
    diff = {}
    for uid in ours.keys() | theirs.keys():
        odd = set(ours.get(uid, [])) ^ set(theirs.get(uid, []))
        if odd:
            diff[uid] = [datetime.fromtimestamp(x, UTC) for x in sorted(odd)]
    return diff


def test_the_feeds_timezones_are_written_one_change_at_a_time(
    feed: tuple[bytes, dict[str, list[int]]],
) -> None:
    data, _ours = feed
    cal = icalendar.Calendar.from_ical(data)
    assert {str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")} == set(ZONES)
    for line in data.decode().splitlines():
        assert not line.startswith("RDATE") or "," not in line  # ical.js reads one value per line
    ny = next(tz for tz in cal.walk("VTIMEZONE") if tz["TZID"] == "America/New_York")
    onsets = {
        (c.name, c["DTSTART"].to_ical().decode()) for c in ny.walk() if c.name in ("STANDARD", "DAYLIGHT")
    }
    # RFC 5545 §3.6.5: the onset in the local time before the change (02:00 both ways in New York).
    assert ("DAYLIGHT", "20270314T020000") in onsets and ("STANDARD", "20271107T020000") in onsets


def test_python_parsers_read_every_occurrence_as_the_bot_does(
    feed: tuple[bytes, dict[str, list[int]]],
) -> None:
    data, ours = feed
    assert sum(len(v) for v in ours.values()) > 1500
    assert _same(_recurring_ical_events(data), ours) == {}
    assert _same(_recurring_ical_events(_renamed(data)), ours) == {}  # from the VTIMEZONEs alone


def _icaljs_module() -> str | None:
    """ical.js from $ICALJS_MODULE, or from a cache folder outside the repository (installed there
    from npm once, when npm is present)."""
    if shutil.which("node") is None:
        return None
    if os.environ.get("ICALJS_MODULE"):
        return os.environ["ICALJS_MODULE"]
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ambassador-bot-tests"
    module = cache / "node_modules" / "ical.js" / "dist" / "ical.js"
    if not module.exists() and shutil.which("npm") is not None:
        cache.mkdir(parents=True, exist_ok=True)
        try:
            subprocess.run(
                ["npm", "install", "--prefix", str(cache), "--no-save", "--silent", "ical.js@2"],
                capture_output=True,
                timeout=180,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired):
            return None
    return str(module) if module.exists() else None


def test_icaljs_reads_every_occurrence_as_the_bot_does(
    feed: tuple[bytes, dict[str, list[int]]], tmp_path: Path
) -> None:
    module = _icaljs_module()
    if module is None:
        pytest.skip("node or ical.js is not available here")
    data, ours = feed
    path = tmp_path / "calendar.ics"
    path.write_bytes(data)
    run = subprocess.run(
        ["node", str(EXPAND_JS), module, str(path), *(str(int(t.timestamp())) for t in WINDOW)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    theirs = {uid: v for uid, v in json.loads(run.stdout).items() if uid.startswith("series-")}
    assert _same(theirs, ours) == {}
