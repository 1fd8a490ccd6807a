"""The data of the landing, groups and events pages (bot/program/public/pages.py): times in the
page's timezone, cancelled occurrences, the map's projection and the groups by place."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.program.events.series import Occurrence
from bot.program.public.pages import events_page, groups_page, marker, page_timezone, program_info
from bot.sandbox.harness.stack import test_settings as harness_settings
from storage.public import PublicGroupRow

SETTINGS = harness_settings(
    "sqlite+aiosqlite:///:memory:",
    "https://slack.test",
    "https://forum.test/",
    web={"timezone": "Europe/London", "about": "One.\n\nTwo.", "apply_url": "https://join.example.org"},
    server={"public_url": "https://bot.example.org/"},
)


def occurrence(start: datetime, status: str = "scheduled") -> Occurrence:
    return Occurrence(1, "meetup", "Meetup", "meetup", start, start + timedelta(hours=1), "Europe/London",
                      "https://call.example.org", "U0HOST", status)  # fmt: skip


@pytest.mark.parametrize(
    ("asked", "expected"),
    [
        (None, ("Europe/London", None)),
        ("", ("Europe/London", None)),
        ("asia/tokyo", ("Asia/Tokyo", None)),
        ("America/New_York", ("America/New_York", None)),
        ("UTC", ("UTC", None)),
        ("Mars/Base", ("Europe/London", "Mars/Base")),
        ("../../etc/passwd", ("Europe/London", "../../etc/passwd")),
        ("x" * 500, ("Europe/London", "x" * 64)),
    ],
)
def test_the_page_timezone_is_the_asked_one_when_it_is_a_timezone(
    asked: str | None, expected: tuple[str, str | None]
) -> None:
    assert page_timezone(SETTINGS, asked) == expected


def test_events_carry_utc_instants_and_local_text_and_cancelled_ones_are_marked() -> None:
    summer = datetime(2026, 7, 2, 16, 0, tzinfo=UTC)
    winter = datetime(2026, 12, 3, 17, 0, tzinfo=UTC)
    page = events_page([occurrence(summer), occurrence(winter, "cancelled"), occurrence(winter, "skipped")],
                       "Europe/London")  # fmt: skip
    first, second, _skipped = page.events
    assert (first.start_utc, first.start_text) == ("2026-07-02T16:00:00Z", "Thu 2 Jul 2026, 17:00 BST")
    assert (second.start_utc, second.start_text) == ("2026-12-03T17:00:00Z", "Thu 3 Dec 2026, 17:00 GMT")
    assert [e.cancelled for e in page.events] == [False, True, True]
    assert "call.example.org" not in repr(page) and "U0HOST" not in repr(page)
    tokyo = events_page([occurrence(summer)], "Asia/Tokyo").events[0]
    assert tokyo.start_text == "Fri 3 Jul 2026, 01:00 JST" and tokyo.start_utc == first.start_utc


@pytest.mark.parametrize(
    ("lat", "lon", "expected"),
    [
        (0.0, 0.0, (180.0, 90.0)),
        (52.52, 13.404, (193.4, 37.48)),  # Berlin (rounded to 0.01)
        (-33.87, 151.21, (331.21, 123.87)),  # Sydney
        (90.0, -180.0, (0.0, 0.0)),
        (None, 10.0, None),
        (91.0, 0.0, None),
        (0.0, 181.0, None),
    ],
)
def test_a_marker_is_placed_by_an_equirectangular_projection(
    lat: float | None, lon: float | None, expected: tuple[float, float] | None
) -> None:
    assert marker(lat, lon) == expected


def group(
    gid: int, title: str, city: str, country: str, status: str = "approved", **kw: object
) -> PublicGroupRow:
    values: dict[str, object] = {
        "region": "", "latitude": 1.0, "longitude": 2.0, "website": "",
        "mentor": None, "has_mentor": False, "organisers": (), "hidden_organisers": 0,
    }  # fmt: skip
    values.update(kw)
    return PublicGroupRow(id=gid, title=title, city=city, country=country, status=status, **values)  # type: ignore[arg-type]


def test_groups_are_grouped_by_country_then_city_and_only_placed_ones_get_a_marker() -> None:
    rows = [
        group(1, "A Lyon", "Lyon", "France", "official"),
        group(2, "B Lyon", "Lyon", "France"),
        group(3, "A Paris", "Paris", "France", latitude=None),
        group(4, "A Berlin", "Berlin", "Germany", website="javascript:alert(1)"),
    ]
    page = groups_page(rows)
    assert [
        (c.name, [(city.name, [g.title for g in city.groups]) for city in c.cities]) for c in page.countries
    ] == [
        ("France", [("Lyon", ["A Lyon", "B Lyon"]), ("Paris", ["A Paris"])]),
        ("Germany", [("Berlin", ["A Berlin"])]),
    ]
    assert [g.title for g in page.markers] == ["A Lyon", "B Lyon", "A Berlin"]
    assert (page.total, page.official) == (4, 1)
    assert page.countries[1].cities[0].groups[0].website == ""  # only http(s) links are shown


def test_the_landing_page_says_how_to_apply_and_where_the_calendar_is() -> None:
    info = program_info(SETTINGS)
    assert info.about == ("One.", "Two.")
    assert info.apply_url == "https://join.example.org" and info.forum_url == "https://forum.test"
    assert info.calendar_url == "https://bot.example.org/calendar.ics"
