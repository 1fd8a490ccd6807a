"""The program's public pages over real HTTP (issue 19): the opt-in from the profile form, what the
directory shows and hides, caching (ETag, Last-Modified, 304), HEAD, the 404 page, the groups map
and the events in a visitor's timezone."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from bot.program.privacy.service import PrivacyService
from bot.sandbox.harness.stack import ALICE, BOB, MOD, FakeClock, Stack, start_stack
from storage.groups import GroupOrganiser, UserGroup
from storage.models import Ambassador
from tests.e2e.lifecycle import make_ambassador, say
from tests.e2e.test_events import MEETUP
from tests.e2e.test_profiles_directory import PROFILE, open_profile

SLACK_EMAILS = ("@example.com", "@example.org")  # the Slack stand-in's users' email domains


class Page(HTMLParser):
    """The parts of a page the tests read: elements by id and class, text, attributes."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.starts: list[tuple[str, dict[str, str]]] = []
        self.text_parts: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.starts.append((tag, {k: v or "" for k, v in attrs}))

    def handle_data(self, data: str) -> None:
        self.text_parts.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.text_parts).split())

    def all(self, tag: str, **attrs: str) -> list[dict[str, str]]:
        def matches(a: dict[str, str]) -> bool:
            for k, v in attrs.items():
                key = k.rstrip("_")
                if key == "class":
                    if v not in a.get("class", "").split():
                        return False
                elif a.get(key) != v:
                    return False
            return True

        return [a for t, a in self.starts if t == tag and matches(a)]


def entries(html: str) -> list[str]:
    """The text of each <li class="ambassador">, in page order."""
    return [
        " ".join(re.sub(r"<[^>]+>", " ", m).split())
        for m in re.findall(r'<li class="ambassador">(.*?)</li>', html, flags=re.S)
    ]


async def get(stack: Stack, path: str, **headers: str) -> httpx.Response:
    async with httpx.AsyncClient(base_url=stack.bot_url) as client:
        return await client.get(path, headers={k.replace("_", "-"): v for k, v in headers.items()})


async def publish(stack: Stack, user: str, fields: list[str], **changes: str) -> str:
    """Save the profile form with "List me on the public directory" ticked and `fields` shown."""
    view = await open_profile(stack, user)
    values: dict[str, Any] = {k: {k: v} for k, v in {**PROFILE, **changes}.items() if v}
    values["public_listed"] = {"public_listed": ["yes"] if fields else []}
    values["public_fields"] = {"public_fields": fields}
    resp = await stack.actor.submit_view(user, view["id"], values)
    assert resp.status_code == 200 and "errors" not in resp.text, resp.text
    await stack.settle()
    return resp.text  # the "Profile saved" notice


ALL = ["name", "location", "expertise", "help_with", "contact", "home_group"]


async def test_nobody_is_public_until_they_opt_in_and_then_only_what_they_chose(stack: Stack) -> None:
    await make_ambassador(stack)
    await make_ambassador(stack, BOB, name="Bob Builder", forum_username="bob")
    view = await open_profile(stack, ALICE)
    listed = next(b for b in view["blocks"] if b.get("block_id") == "public_listed")
    assert "initial_options" not in listed["element"]  # off until ticked
    await stack.actor.submit_view(ALICE, view["id"], {k: {k: v} for k, v in PROFILE.items()})
    await stack.settle()

    page = await get(stack, "/program/ambassadors")
    assert page.status_code == 200 and page.headers["content-type"] == "text/html; charset=utf-8"
    assert entries(page.text) == []
    assert Page(page.text).all("p", id="no-results")
    assert "Alice" not in page.text and "Berlin" not in page.text

    said = await publish(stack, ALICE, ["name", "expertise"])
    assert "You are listed on the public directory with the fields you ticked." in said
    page = await get(stack, "/program/ambassadors")
    [alice] = entries(page.text)
    assert "Alice Example" in alice and "Kubernetes, Go, Community events" in alice
    for hidden in ("Berlin", "Germany", "DM me here", "first talk", "cycling", "Platform engineer"):
        assert hidden not in page.text  # not chosen (interests and the bio are never public)
    # The form remembers the choice.
    view = await open_profile(stack, ALICE)
    fields = next(b for b in view["blocks"] if b.get("block_id") == "public_fields")
    assert [o["value"] for o in fields["element"]["initial_options"]] == ["name", "expertise"]

    await publish(stack, ALICE, ALL)
    page = await get(stack, "/program/ambassadors")
    [alice] = entries(page.text)
    assert "Berlin, Germany" in alice and "DM me here" in alice and "first talk" in alice
    for secret in (ALICE, BOB, MOD, *SLACK_EMAILS, "U0"):
        assert secret not in page.text
    assert "Bob" not in page.text  # never opted in


async def test_alumni_and_forgotten_people_vanish_at_once_and_the_etag_changes(stack: Stack) -> None:
    await make_ambassador(stack)
    await make_ambassador(stack, BOB, name="Bob Builder", forum_username="bob")
    await publish(stack, ALICE, ALL)
    await publish(stack, BOB, ALL, city="Porto", country="Portugal")
    first = await get(stack, "/program/ambassadors")
    assert len(entries(first.text)) == 2
    tag = first.headers["etag"]
    assert (await get(stack, "/program/ambassadors", if_none_match=tag)).status_code == 304

    async with stack.runtime.uow() as uow:  # Bob's term lapses: he is alumni now
        person = await uow.people.by_slack_id(BOB)
        assert person is not None
        await uow.session.execute(
            update(Ambassador).where(Ambassador.person_id == person.id).values(status="alumni")
        )
    second = await get(stack, "/program/ambassadors", if_none_match=tag)
    assert second.status_code == 200 and second.headers["etag"] != tag
    assert [e.split(" Location")[0] for e in entries(second.text)] == ["Alice Example"]

    await PrivacyService(stack.runtime.uow, stack.runtime.clock).forget(ALICE)
    third = await get(stack, "/program/ambassadors", if_none_match=second.headers["etag"])
    assert third.status_code == 200 and entries(third.text) == []
    assert "Alice" not in third.text and "Berlin" not in third.text


async def test_search_ranks_as_find_does(stack: Stack) -> None:
    await make_ambassador(stack)
    await make_ambassador(stack, BOB, name="Bob Builder", forum_username="bob")
    plain = {"bio": "", "interests": ""}  # never public, so they must not count in either
    await publish(stack, ALICE, ALL, **plain)
    await publish(stack, BOB, ALL, expertise="Python, Berlin meetups", city="München", **plain)
    for query in ("kubernetes berlin", "berlin", "pyth", "München zürich Berlin", "go"):
        found = await say(stack, ALICE, f"find {query}")
        order = [n for n in ("Alice Example", "Bob Builder") if n in found]
        order.sort(key=found.index)
        page = await get(stack, "/program/ambassadors?" + httpx.QueryParams({"q": query}).__str__())
        assert [e.split(" Location")[0] for e in entries(page.text)] == order, query
        assert Page(page.text).all("input", name="q", id="q")[0]["value"] == query
    none = await get(stack, "/program/ambassadors?q=zzz")
    assert entries(none.text) == [] and "No one matches" in Page(none.text).text
    short = await get(stack, "/program/ambassadors?q=a")  # no word to search for: said, all shown
    assert "at least one word" in short.text and len(entries(short.text)) == 2


async def test_a_hidden_field_never_makes_someone_match(stack: Stack) -> None:
    await make_ambassador(stack)
    await publish(stack, ALICE, ["name", "expertise"])  # Berlin is hidden
    assert entries((await get(stack, "/program/ambassadors?q=berlin")).text) == []
    assert len(entries((await get(stack, "/program/ambassadors?q=kube")).text)) == 1


async def test_hostile_profile_text_is_escaped(stack: Stack) -> None:
    await make_ambassador(stack)
    hostile = '<script>alert(1)</script><img src=x onerror="alert(2)"> "quoted" & ünïcødé 🎉'
    await publish(stack, ALICE, ALL, help_with=hostile, contact="x" * 300, city="<b>Zürich</b>")
    page = await get(stack, "/program/ambassadors")
    assert "<script>alert" not in page.text and "<img" not in page.text and "<b>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    [alice] = entries(page.text)
    assert "ünïcødé 🎉" in alice and "x" * 300 in alice
    assert "onerror" not in {k for _t, a in Page(page.text).starts for k in a}
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    # A huge or hostile query is answered, not failed.
    for q in ("<script>", "ü" * 5000, "%00", "' OR 1=1 --"):
        resp = await get(stack, "/program/ambassadors?" + str(httpx.QueryParams({"q": q})))
        assert resp.status_code == 200 and "<script>" not in resp.text.replace('<script src="/program', "")
    for raw in (
        "/program/ambassadors?q=%ff%fe%00",
        "/program/events?tz=%00%ff",
        "/program/events?tz=" + "a/" * 3000,
        "/program/static/%2e%2e%2fpyproject.toml",
        "/program/" + "x" * 4000,
        "/program/groups?x=%zz",
    ):
        resp = await get(stack, raw)
        assert resp.status_code in (200, 404) and resp.headers["content-type"].startswith("text/html"), raw


async def test_caching_headers_304_and_head(stack: Stack) -> None:
    await make_ambassador(stack)
    await publish(stack, ALICE, ALL)
    for path in ("/program", "/program/ambassadors", "/program/groups", "/program/events"):
        page = await get(stack, path)
        assert page.status_code == 200, path
        assert page.headers["cache-control"] == "public, max-age=60"
        tag, modified = page.headers["etag"], page.headers["last-modified"]
        assert (await get(stack, path, if_none_match=tag)).status_code == 304
        assert (await get(stack, path, if_none_match=f'W/{tag}, "other"')).status_code == 304
        assert (await get(stack, path, if_modified_since=modified)).status_code == 304
        assert (await get(stack, path, if_none_match='"stale"')).status_code == 200
        earlier = (datetime.now(UTC) - timedelta(days=1)).strftime("%a, %d %b %Y %H:%M:%S GMT")
        assert (await get(stack, path, if_modified_since=earlier)).status_code == 200
        assert (await get(stack, path, if_modified_since="not a date")).status_code == 200
        async with httpx.AsyncClient(base_url=stack.bot_url) as client:
            head = await client.head(path)
        assert head.status_code == 200 and head.content == b"" and head.headers["etag"] == tag
    # A change (Alice edits her profile) gives a later Last-Modified, so a dated copy is stale.
    before = await get(stack, "/program/ambassadors")
    await publish(stack, ALICE, ALL, expertise="Rust")
    after = await get(stack, "/program/ambassadors", if_modified_since=before.headers["last-modified"])
    assert after.status_code == 200 and "Rust" in after.text


async def test_pages_share_the_layout_and_unknown_pages_are_a_404_page(stack: Stack) -> None:
    for path in ("/program", "/program/ambassadors", "/program/groups", "/program/events", "/program/nope"):
        page = await get(stack, path)
        parsed = Page(page.text)
        assert page.text.startswith("<!doctype html>")
        assert parsed.all("html", lang="en") and len(parsed.all("main")) == 1
        assert len(parsed.all("h1")) == 1 and parsed.all("meta", name="viewport")
        [nav] = parsed.all("nav")
        assert nav["aria-label"] == "Program"
        hrefs = {a["href"] for a in parsed.all("a")}
        assert {"/program", "/program/ambassadors", "/program/groups", "/program/events"} <= hrefs
        assert not any(k.startswith("on") for _t, a in parsed.starts for k in a)
        assert all(s.get("src", "").startswith("/program/static/") for s in parsed.all("script"))
    missing = await get(stack, "/program/nope/deeper?x=<script>")
    assert missing.status_code == 404 and "There is no such page" in missing.text
    assert (await get(stack, "/program/static/../../pyproject.toml")).status_code == 404
    script = await get(stack, "/program/static/times.js")
    assert script.status_code == 200 and script.headers["content-type"].startswith("text/javascript")
    form = Page((await get(stack, "/program/ambassadors")).text)
    assert form.all("form", role="search", method="get") and form.all("label", for_="q")


async def test_the_groups_page_lists_groups_by_place_with_a_map(stack: Stack) -> None:
    await make_ambassador(stack)
    await publish(stack, ALICE, ALL)
    now = stack.runtime.clock.now()
    groups = [
        ("Ambassadors Berlin", "Berlin", "Germany", 52.52, 13.40, "official", ALICE),
        ("Ambassadors Lyon", "Lyon", "France", 45.76, 4.84, "approved", MOD),
        ("Ambassadors Nowhere", "", "Atlantis", None, None, "approved", None),
        ("Ambassadors Spam", "Paris", "France", 48.85, 2.35, "pending", None),
    ]
    async with stack.runtime.uow() as uow:
        for title, city, country, lat, lon, status, mentor in groups:
            g = UserGroup(
                title=title, requested_name=title, city=city, country=country, latitude=lat,
                longitude=lon, status=status, requester_slack_id=MOD, mentor_slack_id=mentor,
                submitted_at=now, updated_at=now,
            )  # fmt: skip
            uow.session.add(g)
            await uow.session.flush()
            uow.session.add(GroupOrganiser(group_id=g.id, slack_user_id=BOB, added_by=MOD, added_at=now))
            uow.session.add(GroupOrganiser(group_id=g.id, forum_username="lea", added_by=MOD, added_at=now))
    page = await get(stack, "/program/groups")
    parsed = Page(page.text)
    [svg] = parsed.all("svg")
    assert svg["role"] == "img" and svg["aria-labelledby"]
    circles = parsed.all("circle", class_="marker")
    assert len(circles) == 2  # the two public groups with coordinates; not the pending one
    berlin = next(c for c in circles if "official" in c["class"])
    assert (float(berlin["cx"]), float(berlin["cy"])) == (193.4, 37.48)  # 13.40 + 180, 90 − 52.52
    text = parsed.text
    assert "Spam" not in text and "Ambassadors Nowhere" in text
    assert text.index("Atlantis") < text.index("France") < text.index("Germany")  # by country
    assert "Official" in text and "Alice Example" in text  # Berlin's mentor is listed with her name
    assert (
        "Mentor An ambassador" in text and "Mentor Not assigned yet" in text
    )  # Lyon's is not; Nowhere has none
    assert "@lea" in text and "1 more" in text  # Bob, a Slack-only organiser, is not named
    for secret in (ALICE, BOB, MOD, "U0"):
        assert secret not in page.text


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 3, 20, 12, 0, tzinfo=UTC))


@pytest.fixture
async def events_stack(db_url: str, clock: FakeClock) -> AsyncIterator[Stack]:
    async with start_stack(db_url, clock=clock, events=[MEETUP], web={"timezone": "Europe/London"}) as s:
        yield s


async def test_events_are_shown_in_the_asked_timezone_with_cancelled_ones_marked(events_stack: Stack) -> None:
    stack = events_stack
    await stack.runtime.services.events.change_occurrence(MOD, "meetup", "2026-04-02", "cancelled")
    await stack.settle()
    page = await get(stack, "/program/events")
    parsed = Page(page.text)
    times = [t["datetime"] for t in parsed.all("time")]
    assert times[0] == "2026-04-02T16:00:00Z"  # the first Thursday of April, 17:00 London (BST)
    assert "Thu 2 Apr 2026, 17:00 BST" in parsed.text
    assert parsed.all("script", src="/program/static/times.js")  # rewrites them for the visitor
    cancelled = parsed.all("li", class_="cancelled")
    assert len(cancelled) == 1 and "Cancelled" in parsed.text
    assert parsed.text.count("Cancelled") == 1
    assert "meet.example.org" not in page.text and MOD not in page.text  # no call link, no host id

    tokyo = Page((await get(stack, "/program/events?tz=asia/tokyo")).text)
    assert "Fri 3 Apr 2026, 01:00 JST" in tokyo.text and not tokyo.all("script")
    bad = await get(stack, "/program/events?tz=" + "<b>Mars/Base</b>")
    assert bad.status_code == 200 and "is not a timezone" in bad.text and "<b>Mars" not in bad.text
    assert "17:00 BST" in bad.text
    landing = Page((await get(stack, "/program")).text)
    assert "Monthly ambassador meetup" in landing.text and "/calendar.ics" in landing.text


async def test_the_pages_can_be_turned_off(db_url: str) -> None:
    async with start_stack(db_url, web={"public_pages": False}) as stack:
        for path in ("/program", "/program/ambassadors", "/program/static/style.css"):
            assert (await get(stack, path)).status_code == 404


async def test_an_unreachable_database_is_a_503_page_not_a_500(db_url: str, backend: str) -> None:
    if backend != "postgres":
        pytest.skip("SQLite is a file beside the process: it cannot be made unreachable")
    from tests.faults.test_database_faults import pg_unreachable

    async with start_stack(db_url) as stack:
        assert (await get(stack, "/program/ambassadors")).status_code == 200
        async with pg_unreachable(db_url):
            for path in ("/program", "/program/ambassadors", "/program/groups", "/program/events"):
                page = await get(stack, path)
                assert page.status_code == 503 and page.headers["retry-after"] == "30", path
                assert "cannot be shown right now" in page.text and "Traceback" not in page.text
        assert (await get(stack, "/program/ambassadors")).status_code == 200
