"""The program's public pages in a real browser, as a visitor on a phone or a desktop sees them:
they load cleanly, the directory search works, the layout fits the screen, axe-core finds no
serious accessibility problem, and event times are shown in the visitor's own timezone."""

from __future__ import annotations

import struct
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.browser.conftest import Visit
from tests.browser.site import PEOPLE, UNLISTED

PAGES = ("/program", "/program/ambassadors", "/program/groups", "/program/events")
PHONE = (375, 812)
DESKTOP = (1280, 800)
LISTED = [p.name for p in PEOPLE if p.name not in UNLISTED]


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    return int(width), int(height)


@pytest.mark.parametrize("path", PAGES)
def test_each_page_loads_without_errors_or_outside_requests(visit: Any, path: str) -> None:
    seen: Visit = visit(path)
    assert seen.problems() == []
    page = seen.page
    assert page.locator("h1").count() == 1
    assert page.locator("main").count() == 1
    nav = page.get_by_role("navigation", name="Program")
    assert nav.get_by_role("link").count() == 4


def names_listed(page: Any) -> list[str]:
    return [text.strip() for text in page.locator("#ambassadors li.ambassador h2").all_inner_texts()]


def search(page: Any, words: str) -> None:
    box = page.locator("#q")
    box.fill("")
    box.press_sequentially(words)
    with page.expect_navigation():
        box.press("Enter")


def test_the_directory_shows_only_listed_people_and_search_narrows_it(visit: Any) -> None:
    seen: Visit = visit("/program/ambassadors")
    page = seen.page
    assert sorted(names_listed(page)) == sorted(LISTED)
    for hidden in UNLISTED:
        assert hidden not in page.content()
    assert page.get_by_label("Search").count() + page.locator("label[for=q]").count() >= 1

    search(page, "rust")
    assert "q=rust" in page.url
    assert names_listed(page) == ["Bo Chen"]
    assert page.locator("#q").input_value() == "rust"  # the words stay in the box

    search(page, "Lisbon")
    assert names_listed(page) == ["Ana Álvarez"]

    search(page, "kubernetes")  # Dana and Eve know it too, but are not listed
    assert names_listed(page) == ["Ana Álvarez"]

    search(page, "zzyzx quux")
    assert names_listed(page) == []
    assert page.locator("#no-results").is_visible()
    assert seen.problems() == []


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
@pytest.mark.parametrize("path", PAGES)
def test_the_layout_fits_the_screen(visit: Any, path: str, size: tuple[int, int]) -> None:
    width, height = size
    seen: Visit = visit(path, width=width, height=height)
    page = seen.page
    # A full-page screenshot is as wide as the page's content: wider than the screen means a
    # horizontal scroll bar on a phone.
    shot_width, shot_height = png_size(page.screenshot(full_page=True))
    assert shot_width == width, f"{path} at {width}px is {shot_width}px wide"
    assert height <= shot_height < 40 * height, f"{path} at {width}px is {shot_height}px tall"
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    # Nothing pokes out of the viewport sideways (a long word, a fixed-width table or map).
    too_wide = page.evaluate(
        """(limit) => [...document.querySelectorAll('body *')]
             .filter(e => e.getBoundingClientRect().right > limit + 1)
             .map(e => e.tagName + (e.id ? '#' + e.id : '') + '.' + e.className)""",
        width,
    )
    assert too_wide == []


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
@pytest.mark.parametrize("path", PAGES)
def test_axe_finds_no_serious_accessibility_problem(
    visit: Any, axe_source: Path, path: str, size: tuple[int, int]
) -> None:
    # axe is injected as a script of its own, which the pages' CSP (script-src 'self') would block.
    seen: Visit = visit(path, width=size[0], height=size[1], bypass_csp=True)
    page = seen.page
    page.add_script_tag(path=str(axe_source))
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:5]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []
    assert result["passes"], "axe ran no check at all"


def test_event_times_are_shown_in_the_visitors_timezone(visit: Any) -> None:
    tokyo = ZoneInfo("Asia/Tokyo")
    seen: Visit = visit("/program/events", timezone="Asia/Tokyo")
    page = seen.page
    times = page.locator("main time[datetime]")
    assert times.count() > 0
    for i in range(times.count()):
        at = datetime.fromisoformat(times.nth(i).get_attribute("datetime").replace("Z", "+00:00"))
        assert f"{at.astimezone(tokyo):%H:%M}" in times.nth(i).inner_text()
    assert "Asia/Tokyo" in page.locator("#tz-note").inner_text()
    cancelled = page.locator(".cancelled")
    assert cancelled.count() >= 1 and "Cancelled" in cancelled.first.inner_text()
    # The same page seen from London shows London's hours: the rewrite follows the visitor.
    london: Visit = visit("/program/events", timezone="Europe/London")
    first = london.page.locator("main time[datetime]").first
    at = datetime.fromisoformat(first.get_attribute("datetime").replace("Z", "+00:00"))
    assert f"{at.astimezone(ZoneInfo('Europe/London')):%H:%M}" in first.inner_text()
    assert seen.problems() == [] and london.problems() == []
