"""Rendering the public pages (bot/web/render.py): profile text is escaped, the layout holds the
accessibility landmarks, and a directory of 2 000 people renders whole."""

from __future__ import annotations

import re

from bot.program.public.directory import PublicAmbassador, PublicDirectory
from bot.sandbox.harness.stack import test_settings as harness_settings
from bot.web.render import directory_page

SETTINGS = harness_settings("sqlite+aiosqlite:///:memory:", "https://slack.test", "https://forum.test")


def person(i: int, **kw: str | None) -> PublicAmbassador:
    values: dict[str, str | None] = {
        "name": f"Person {i}",
        "location": "Berlin, Germany",
        "expertise": "Kubernetes, Go",
        "helps_with": "First talks",
        "contact": "DM me",
        "home_group": None,
    }
    values.update(kw)
    return PublicAmbassador(**values)


def test_hostile_text_is_escaped_everywhere() -> None:
    hostile = '</li><script>alert(1)</script><a href="javascript:x" onclick="y">z</a> & "q" \'s'
    html = directory_page(
        SETTINGS,
        PublicDirectory((person(1, name=hostile, contact=hostile, home_group=hostile),), ("x",), (), 1),
        q=hostile,
        problem=hostile,
    )
    assert "<script>alert" not in html and ' onclick="' not in html and 'href="javascript' not in html
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 5  # name, contact, group, q, problem
    assert html.count('<li class="ambassador">') == 1


def test_a_person_without_a_shown_name_is_an_ambassador_and_unshown_fields_are_absent() -> None:
    html = directory_page(SETTINGS, PublicDirectory((person(1, name=None, location=None),), listed=1))
    assert "<h2>An ambassador</h2>" in html and "Location" not in html and "Berlin" not in html


def test_the_layout_has_its_landmarks() -> None:
    html = directory_page(SETTINGS, PublicDirectory((), listed=0))
    assert html.startswith("<!doctype html>") and '<html lang="en">' in html
    assert html.count("<h1>") == 1 and html.count("<main") == 1
    assert '<nav aria-label="Program">' in html and 'name="viewport"' in html
    assert '<a href="/program/ambassadors" aria-current="page">' in html
    assert '<p id="no-results">' in html and '<ul id="ambassadors">' in html
    assert not re.search(r"\son[a-z]+=", html) and "<style" not in html and " style=" not in html


def test_two_thousand_people_render_whole() -> None:
    people = tuple(person(i) for i in range(2000))
    html = directory_page(SETTINGS, PublicDirectory(people, listed=2000))
    assert html.count('<li class="ambassador">') == 2000
    assert "Person 1999" in html and "2000 ambassadors are listed." in html
