"""Time at the edges: local dates on 23- and 25-hour days, wall times the clocks skip or repeat,
UTC UNTIL and calendar-day reminder offsets, in five timezones (pure rules, no I/O)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.config import ConfigError, settings_from_mapping
from bot.program.events.recurrence import Recurrence, RecurrenceError, normalise_rrule, reminder_due


def _utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# (zone, rule, first local start, local date asked for, expected UTC start or None)
ON_DATE = [
    # 25-hour days (clocks go back): the occurrence late in the day is inside that day.
    ("America/New_York", "FREQ=WEEKLY;BYDAY=SU", "2027-01-03T23:30", "2027-11-07", _utc(2027, 11, 8, 4, 30)),
    ("Europe/London", "FREQ=WEEKLY;BYDAY=SU", "2027-01-03T23:30", "2027-10-31", _utc(2027, 10, 31, 23, 30)),
    ("Australia/Sydney", "FREQ=WEEKLY;BYDAY=SU", "2027-01-03T23:30", "2027-04-04", _utc(2027, 4, 4, 13, 30)),
    ("Pacific/Chatham", "FREQ=WEEKLY;BYDAY=SU", "2027-01-03T23:30", "2027-04-04", _utc(2027, 4, 4, 10, 45)),
    # 23-hour days (clocks go forward): the next day's early occurrence is not in this one.
    ("America/New_York", "FREQ=WEEKLY;BYDAY=MO", "2027-01-04T00:30", "2027-03-14", None),
    ("America/New_York", "FREQ=WEEKLY;BYDAY=MO", "2027-01-04T00:30", "2027-03-15", _utc(2027, 3, 15, 4, 30)),
    ("Europe/London", "FREQ=WEEKLY;BYDAY=MO", "2027-01-04T00:30", "2027-03-28", None),
    ("Australia/Sydney", "FREQ=WEEKLY;BYDAY=MO", "2027-01-04T00:30", "2027-10-03", None),
    ("Pacific/Chatham", "FREQ=WEEKLY;BYDAY=MO", "2027-01-04T00:30", "2027-09-26", None),
    # No daylight saving: an ordinary day.
    ("Asia/Kolkata", "FREQ=WEEKLY;BYDAY=SU", "2027-01-03T23:30", "2027-11-07", _utc(2027, 11, 7, 18, 0)),
    ("Asia/Kolkata", "FREQ=WEEKLY;BYDAY=MO", "2027-01-04T00:30", "2027-03-14", None),
]


@pytest.mark.parametrize(("zone", "rule", "first", "day", "expected"), ON_DATE)
def test_an_occurrence_is_found_by_its_local_date_between_real_midnights(
    zone: str, rule: str, first: str, day: str, expected: datetime | None
) -> None:
    found = Recurrence(rule, first, zone).on_local_date(date.fromisoformat(day))
    assert (found.start if found else None) == expected


# A wall time in the spring-forward gap moves on by the gap (RFC 5545 §3.3.5); a repeated one is the
# first of the two. The rule's wall time is kept: EXDATE and RECURRENCE-ID name it.
GAPS_AND_OVERLAPS = [
    ("America/New_York", "2027-01-03T02:30", "2027-03-14", _utc(2027, 3, 14, 7, 30)),  # 03:30 EDT
    ("Australia/Sydney", "2027-01-03T02:30", "2027-10-03", _utc(2027, 10, 2, 16, 30)),  # 03:30 AEDT
    ("Europe/London", "2027-01-03T01:30", "2027-03-28", _utc(2027, 3, 28, 1, 30)),  # 02:30 BST
    ("Pacific/Chatham", "2027-01-03T03:00", "2027-09-26", _utc(2027, 9, 25, 14, 15)),  # 04:00 +1345
    ("America/New_York", "2027-01-03T01:30", "2027-11-07", _utc(2027, 11, 7, 5, 30)),  # 01:30 EDT
    ("Europe/London", "2027-01-03T01:30", "2027-10-31", _utc(2027, 10, 31, 0, 30)),  # 01:30 BST
    ("Australia/Sydney", "2027-01-03T02:30", "2027-04-04", _utc(2027, 4, 3, 15, 30)),  # 02:30 AEDT
    ("Pacific/Chatham", "2027-01-03T03:00", "2027-04-04", _utc(2027, 4, 3, 13, 15)),  # 03:00 +1345
]


@pytest.mark.parametrize(("zone", "first", "day", "expected"), GAPS_AND_OVERLAPS)
def test_skipped_and_repeated_wall_times_have_one_deliberate_instant(
    zone: str, first: str, day: str, expected: datetime
) -> None:
    found = Recurrence("FREQ=WEEKLY;BYDAY=SU", first, zone).on_local_date(date.fromisoformat(day))
    assert found is not None and found.start == expected
    assert found.wall == datetime.combine(date.fromisoformat(day), datetime.fromisoformat(first).time())


def test_until_in_utc_is_accepted_and_bounds_the_series() -> None:
    rule = "FREQ=MONTHLY;UNTIL=20271224T000000Z;BYDAY=1FR"
    assert normalise_rrule(f"RRULE:{rule.lower()}") == rule
    got = Recurrence(rule, "2027-01-01T17:00", "Europe/London").instances(_utc(2027, 1, 1), _utc(2029, 1, 1))
    assert len(got) == 12 and got[-1].start == _utc(2027, 12, 3, 17, 0)


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("FREQ=MONTHLY;UNTIL=20271224T000000;BYDAY=1FR", "UNTIL=20271224T000000Z"),
        ("FREQ=MONTHLY;UNTIL=20271224;BYDAY=1FR", "write it in UTC"),
        ("FREQ=MONTHLY;UNTIL=20271324T000000Z", "not a real date"),
        ("FREQ=WEEKLY;COUNT=3;UNTIL=20271224T000000Z", "not both"),
        ("FREQ=MINUTELY", "at most hourly"),
        ("BYDAY=MO", "needs a FREQ"),
        ("FREQ=DAILY;INTERVAL=0", r"INTERVAL=0: 0 is out of range"),
        ("FREQ=DAILY;INTERVAL=-1", "out of range"),
        ("FREQ=HOURLY;BYHOUR=25", r"BYHOUR=25: 25 is out of range \(0..23\)"),
        ("FREQ=MONTHLY;BYMONTHDAY=1,x", "not a whole number"),
        ("FREQ=WEEKLY;BYDAY=XX", "BYDAY"),
    ],
)
def test_rules_the_feed_cannot_carry_are_refused_with_a_reason(rule: str, message: str) -> None:
    with pytest.raises(RecurrenceError, match=message):
        normalise_rrule(rule)


def _event(rrule: str) -> dict[str, object]:
    return {
        "events": [
            {
                "key": "m",
                "title": "M",
                "rrule": rrule,
                "start": "2027-01-01T17:00",
                "timezone": "Europe/London",
            }
        ]
    }


def test_config_accepts_a_utc_until_and_explains_a_floating_one() -> None:
    ok = settings_from_mapping(_event("FREQ=MONTHLY;UNTIL=20271224T000000Z;BYDAY=1FR"), env={})
    assert ok.events[0].rrule == "FREQ=MONTHLY;UNTIL=20271224T000000Z;BYDAY=1FR"
    with pytest.raises(ConfigError, match=r"UNTIL=20271224T000000 has no timezone"):
        settings_from_mapping(_event("FREQ=MONTHLY;UNTIL=20271224T000000;BYDAY=1FR"), env={})


# (zone, first local start, offset in minutes, occurrence's local date, expected UTC due time)
OFFSETS = [
    # 18:00 on the day London moves to summer time: "7d" and "1d" at 18:00 GMT, "1h" at 16:00 UTC.
    ("Europe/London", "2027-01-03T18:00", 7 * 1440, "2027-03-28", _utc(2027, 3, 21, 18, 0)),
    ("Europe/London", "2027-01-03T18:00", 1440, "2027-03-28", _utc(2027, 3, 27, 18, 0)),
    ("Europe/London", "2027-01-03T18:00", 60, "2027-03-28", _utc(2027, 3, 28, 16, 0)),
    ("America/New_York", "2027-01-03T18:00", 1440, "2027-11-07", _utc(2027, 11, 6, 22, 0)),  # 18:00 EDT
    ("America/New_York", "2027-01-03T18:00", 90, "2027-11-07", _utc(2027, 11, 7, 21, 30)),
    ("Australia/Sydney", "2027-01-03T18:00", 2 * 7 * 1440, "2027-10-03", _utc(2027, 9, 19, 8, 0)),
    ("Pacific/Chatham", "2027-01-03T18:00", 1440, "2027-09-26", _utc(2027, 9, 25, 5, 15)),
    ("Asia/Kolkata", "2027-01-03T18:00", 1440, "2027-03-28", _utc(2027, 3, 27, 12, 30)),
]


@pytest.mark.parametrize(("zone", "first", "offset", "day", "expected"), OFFSETS)
def test_day_offsets_are_calendar_days_and_hours_are_exact(
    zone: str, first: str, offset: int, day: str, expected: datetime
) -> None:
    rec = Recurrence("FREQ=WEEKLY;BYDAY=SU", first, zone)
    occ = rec.on_local_date(date.fromisoformat(day))
    assert occ is not None
    assert reminder_due(occ, offset, rec.tz) == expected
