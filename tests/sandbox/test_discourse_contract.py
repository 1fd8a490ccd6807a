"""Contract tests of the Discourse stand-in: its answers have the shapes discourse_api_docs
documents (tests/fixtures/discourse/openapi_subset.json, from the OpenAPI spec in
../shared/fixtures/discourse/openapi) and the behaviours its code cites from Discourse's
controllers: paging, null fields, error bodies and status codes, rate limits, the site locale."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest

from bot.sandbox.discourse import DiscourseStandIn

KEY = "contract-key"
SPEC = json.loads((Path(__file__).parents[1] / "fixtures/discourse/openapi_subset.json").read_text())["paths"]

# Where the documentation is narrower than what Discourse sends, and why:
NULLABLE = {
    "last_posted_at",  # GroupUserSerializer/UserSerializer pass the column on: nil until the first post
    "last_seen_at",  # nil until the first visit
    "reviewable_id",  # PostSerializer#reviewable_id: nil when the post was never flagged
    "name",  # users may leave their name empty (BasicUserSerializer#name is the column)
    "display_username",  # PostSerializer#display_username is the user's name, so nil with it
    "featured_topic",  # UserSerializer#featured_topic: nil unless the user features one
}
TYPE_ERRATA = {
    # UserOption.push_notification_level is an integer enum column; the docs say string.
    "push_notification_level": ["integer", "string"],
}


def relaxed(schema: Any) -> Any:
    """The documented schema, minus ``additionalProperties: false`` (Discourse adds attributes
    faster than its docs list them; what is checked is that every documented field is there with
    its documented type) and with the nulls and errata above."""
    if isinstance(schema, list):
        return [relaxed(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: relaxed(v) for k, v in schema.items() if not (k == "additionalProperties" and v is False)}
    for name, prop in (out.get("properties") or {}).items():
        if not isinstance(prop, dict) or "type" not in prop:
            continue
        types = prop["type"] if isinstance(prop["type"], list) else [prop["type"]]
        if name in TYPE_ERRATA:
            types = list(TYPE_ERRATA[name])
        if name in NULLABLE and "null" not in types:
            types = [*types, "null"]
        prop["type"] = types
    return out


def assert_documented(path: str, method: str, body: Any) -> None:
    validator = jsonschema.Draft202012Validator(relaxed(SPEC[path][method]["schema"]))
    problems = [f"{list(e.absolute_path)}: {e.message[:200]}" for e in validator.iter_errors(body)]
    assert problems == [], f"{method.upper()} {path}"


@pytest.fixture
async def forum() -> AsyncIterator[DiscourseStandIn]:
    f = DiscourseStandIn(api_key=KEY, api_username="system", admin_limit_per_minute=6000)
    f.add_user("alice", "Alice Example")
    f.add_user("bob")
    f.add_user("carol")
    f.add_badge("Ambassador", badge_id=105)
    f.add_user_badge("alice", 105)
    f.add_group("ambassadors", group_id=41, members=["alice"], owners=["bob"])
    async with f.serve():
        yield f


@pytest.fixture
async def http(forum: DiscourseStandIn) -> AsyncIterator[httpx.AsyncClient]:
    headers = {"Api-Key": KEY, "Api-Username": "system"}
    async with httpx.AsyncClient(base_url=forum.base_url, headers=headers) as client:
        yield client


async def test_answers_have_the_documented_shapes(forum: DiscourseStandIn, http: httpx.AsyncClient) -> None:
    topic = forum.add_topic("A topic about the meetups", [("alice", "Hello there, everyone"), ("bob", "Hi!")])
    alice = forum.users["alice"]["id"]
    calls: list[tuple[str, str, str, dict[str, Any] | None]] = [
        ("/groups/{name}.json", "get", "/groups/ambassadors.json", None),
        ("/groups/{name}/members.json", "get", "/groups/ambassadors/members.json", None),
        ("/groups/{id}/members.json", "put", "/groups/41/members.json", {"usernames": "carol"}),
        ("/groups/{id}/members.json", "delete", "/groups/41/members.json", {"usernames": "carol"}),
        ("/t/{id}/posts.json", "get", f"/t/{topic}/posts.json", None),
        ("/t/{id}.json", "get", f"/t/{topic}.json", None),
        ("/u/{username}.json", "get", "/u/alice.json", None),
        ("/admin/users/{id}.json", "get", f"/admin/users/{alice}.json", None),
        ("/admin/users/list/{flag}.json", "get", "/admin/users/list/active.json?show_emails=true", None),
        ("/site/basic-info.json", "get", "/site/basic-info.json", None),
        ("/admin/badges.json", "get", "/admin/badges.json", None),
        ("/user-badges/{username}.json", "get", "/user-badges/alice.json", None),
        ("/posts.json", "post", "/posts.json", {"raw": "A reply that is long enough", "topic_id": topic}),
        (
            "/topics/private-messages-sent/{username}.json",
            "get",
            "/topics/private-messages-sent/system.json",
            None,
        ),
    ]
    for path, method, url, body in calls:
        resp = await http.request(method.upper(), url, json=body)
        assert resp.status_code == 200, (url, resp.text)
        assert resp.headers["content-type"] == "application/json; charset=utf-8"
        assert_documented(path, method, resp.json())


async def test_badge_holders_page_by_96_and_count_only_for_a_username(
    forum: DiscourseStandIn, http: httpx.AsyncClient
) -> None:
    """UserBadgesController#index: MAX_BADGES = 96 a page, newest first; grant_count is nil
    unless ``username`` is given, then the page holds that user's grants and counts them."""
    for i in range(100):
        name, when = f"holder{i:03d}", f"2026-01-01T00:{i // 60:02d}:{i % 60:02d}.000Z"
        forum.add_user(name)
        forum.add_user_badge(name, 105, granted_at=when)
    first = (await http.get("/user_badges.json", params={"badge_id": 105})).json()
    info = first["user_badge_info"]
    assert len(info["user_badges"]) == 96 and info["grant_count"] is None and info["username"] is None
    newest = [ub["user_id"] for ub in info["user_badges"][:2]]  # alice's grant is today's
    assert newest == [forum.users["alice"]["id"], forum.users["holder099"]["id"]]
    second = (await http.get("/user_badges.json", params={"badge_id": 105, "offset": 96})).json()
    assert len(second["user_badge_info"]["user_badges"]) == 5
    mine = (await http.get("/user_badges.json", params={"badge_id": 105, "username": "ALICE"})).json()
    assert mine["user_badge_info"]["grant_count"] == 1 and len(mine["user_badge_info"]["user_badges"]) == 1
    assert (await http.get("/user_badges.json", params={"badge_id": 999})).status_code == 404
    missing = await http.get("/user_badges.json")
    assert missing.status_code == 400 and missing.json()["error_type"] == "invalid_parameters"


async def test_topic_posts_are_the_first_chunk_unless_ids_are_asked_for(
    forum: DiscourseStandIn, http: httpx.AsyncClient
) -> None:
    """TopicsController#posts / TopicView: without post_ids[] the first 20 posts; with them,
    those; raw only with include_raw. GET /t/{id}.json lists every id in post_stream.stream; a
    wrong slug is a 301 to the right address."""
    posts_in = [("alice", f"Post {i} of the thread") for i in range(45)]
    topic = forum.add_topic("Forty five posts long", posts_in)
    first = (await http.get(f"/t/{topic}/posts.json")).json()["post_stream"]["posts"]
    assert [p["post_number"] for p in first] == list(range(1, 21)) and "raw" not in first[0]
    show = (await http.get(f"/t/{topic}.json")).json()
    stream = show["post_stream"]["stream"]
    assert len(stream) == 45 and show["highest_post_number"] == 45 and len(show["post_stream"]["posts"]) == 20
    tail = await http.get(
        f"/t/{topic}/posts.json", params=[*[("post_ids[]", i) for i in stream[-3:]], ("include_raw", "true")]
    )
    posts = tail.json()["post_stream"]["posts"]
    assert [p["post_number"] for p in posts] == [43, 44, 45] and posts[-1]["raw"] == "Post 44 of the thread"
    before = (await http.get(f"/t/{topic}/posts.json", params={"post_number": 45})).json()
    assert [p["post_number"] for p in before["post_stream"]["posts"]] == list(range(44, 24, -1))
    moved = await http.get(f"/t/wrong-slug/{topic}.json")
    assert moved.status_code == 301 and moved.headers["location"] == f"/t/forty-five-posts-long/{topic}.json"
    assert (await http.get(f"/t/forty-five-posts-long/{topic}.json")).status_code == 200
    assert (await http.get("/t/999999.json")).status_code == 404


async def test_group_members_order_filter_and_total(forum: DiscourseStandIn, http: httpx.AsyncClient) -> None:
    """GroupsController#members: owners first, then usernames descending unless asc; limit 50
    by default, at most 1000; meta.total counts the group before the filter."""
    for name in ("carol", "dave", "erin"):
        forum.add_user(name)
        forum.groups["ambassadors"].members.add(name)
    body = (await http.get("/groups/ambassadors/members.json")).json()
    assert [m["username"] for m in body["members"]] == ["bob", "erin", "dave", "carol", "alice"]
    assert body["meta"] == {"total": 5, "limit": 50, "offset": 0}
    asc = (await http.get("/groups/ambassadors/members.json", params={"asc": "true", "limit": 2})).json()
    assert [m["username"] for m in asc["members"]] == ["bob", "alice"]
    found = (await http.get("/groups/ambassadors/members.json", params={"filter": "dav"})).json()
    assert [m["username"] for m in found["members"]] == ["dave"] and found["meta"]["total"] == 5
    too_many = await http.get("/groups/ambassadors/members.json", params={"limit": 1001})
    assert too_many.status_code == 400 and too_many.json()["error_type"] == "invalid_parameters"


async def test_errors_have_discourse_bodies_and_statuses(
    forum: DiscourseStandIn, http: httpx.AsyncClient
) -> None:
    """render_json_error is a bare ``{"errors": [...]}`` 422; Discourse's exception handlers add
    ``error_type`` (invalid_parameters 400, not_found 404, invalid_access 403)."""
    already = await http.put("/groups/41/members.json", json={"usernames": "alice"})
    assert already.status_code == 422
    assert already.json() == {"errors": ["alice is already a member of this group."]}
    nobody = await http.put("/groups/41/members.json", json={"usernames": "nobody"})
    assert nobody.status_code == 400 and nobody.json()["error_type"] == "invalid_parameters"
    lost = await http.get("/groups/nowhere.json")
    assert lost.status_code == 404 and lost.json()["error_type"] == "not_found"
    denied = await http.get("/groups/ambassadors.json", headers={"Api-Key": "wrong"})
    assert denied.status_code == 403 and denied.json()["error_type"] == "invalid_access"


@pytest.mark.parametrize(
    ("locale", "words", "seconds"),
    [
        ("de", "ist bereits Mitglied dieser Gruppe", "Sekunden"),
        ("fr", "est déjà membre de ce groupe", "secondes"),
    ],
)
async def test_a_non_english_forum_answers_in_its_language(locale: str, words: str, seconds: str) -> None:
    """Discourse renders its messages with I18n in the site's locale; nothing else in the body
    says what went wrong."""
    forum = DiscourseStandIn(api_key=KEY, locale=locale, admin_limit_per_minute=1)
    forum.add_user("alice")
    forum.add_group("ambassadors", group_id=41, members=["alice"])
    async with forum.serve(), httpx.AsyncClient(base_url=forum.base_url) as http:
        headers = {"Api-Key": KEY, "Api-Username": "system"}
        already = await http.put("/groups/41/members.json", json={"usernames": "alice"}, headers=headers)
        assert already.status_code == 422 and already.json() == {"errors": [f"alice {words}."]}
        limited = await http.get("/groups/ambassadors.json", headers=headers)
        assert limited.status_code == 429 and limited.headers["Retry-After"] == str(
            limited.json()["extras"]["wait_seconds"]
        )
        assert f"60 {seconds}" in limited.json()["errors"][0] and limited.json()["error_type"] == "rate_limit"


def test_the_relaxed_schemas_still_catch_a_missing_or_mistyped_field() -> None:
    good = {"success": "OK", "usernames": ["alice"], "skipped_usernames": []}
    assert_documented("/groups/{id}/members.json", "delete", good)
    with pytest.raises(AssertionError):
        assert_documented("/groups/{id}/members.json", "delete", {"success": "OK", "usernames": []})
    with pytest.raises(AssertionError):
        assert_documented("/groups/{id}/members.json", "delete", {**good, "usernames": "alice"})
