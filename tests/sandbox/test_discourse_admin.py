"""The Discourse stand-in's admin set-up routes behave as Discourse's admin controllers do
(app/controllers/admin/badges_controller.rb, groups_controller.rb, web_hooks_controller.rb):
admin keys only, Discourse's validation messages, and a failed request changes nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from bot.sandbox.discourse import DiscourseStandIn

KEY = "forum-admin-key"
HOOK_URL = "https://bot.example.org/discourse/webhooks"
ADMIN = {"Api-Key": KEY, "Api-Username": "system"}


@pytest.fixture
async def forum() -> AsyncIterator[DiscourseStandIn]:
    standin = DiscourseStandIn(api_key=KEY, api_username="system", admin_limit_per_minute=6000)
    async with standin.serve():
        yield standin


@pytest.fixture
async def http(forum: DiscourseStandIn) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=forum.base_url, headers=ADMIN) as client:
        yield client


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/admin/badges.json", {"name": "Ambassador", "badge_type_id": 1}),
        ("POST", "/admin/groups.json", {"group": {"name": "ambassadors"}}),
        ("GET", "/admin/api/web_hooks.json", None),
        ("POST", "/admin/api/web_hooks.json", {"web_hook": {"payload_url": HOOK_URL}}),
    ],
)
async def test_a_key_whose_user_is_not_an_admin_gets_invalid_access(
    method: str, path: str, body: dict[str, object] | None
) -> None:
    forum = DiscourseStandIn(api_key=KEY, api_username="helper")
    forum.users["helper"]["admin"] = False
    async with forum.serve(), httpx.AsyncClient(base_url=forum.base_url) as client:
        answer = await client.request(
            method, path, json=body, headers={"Api-Key": KEY, "Api-Username": "helper"}
        )
    assert answer.status_code == 403 and answer.json()["error_type"] == "invalid_access"
    assert (len(forum.badges), len(forum.groups), forum.web_hooks) == (0, 0, {})


async def test_a_badge_name_is_unique_regardless_of_case(
    forum: DiscourseStandIn, http: httpx.AsyncClient
) -> None:
    created = await http.post("/admin/badges.json", json={"name": "Ambassador", "badge_type_id": 1})
    assert created.status_code == 200
    assert created.headers["content-type"] == "application/json; charset=utf-8"
    badge = created.json()["badge"]
    assert (badge["name"], badge["badge_type_id"], badge["enabled"]) == ("Ambassador", 1, True)
    again = await http.post("/admin/badges.json", json={"name": "AMBASSADOR", "badge_type_id": 9})
    assert again.status_code == 422
    assert again.json() == {"errors": ["Name has already been taken", "Badge type must exist"]}
    assert len(forum.badges) == 1


async def test_a_badge_can_be_enabled_and_a_missing_one_is_404(
    forum: DiscourseStandIn, http: httpx.AsyncClient
) -> None:
    badge_id = forum.add_badge("Ambassador", enabled=False)
    answer = await http.put(f"/admin/badges/{badge_id}.json", json={"enabled": True})
    assert answer.status_code == 200 and answer.json()["badge"]["enabled"] is True
    assert (await http.put("/admin/badges/999.json", json={"enabled": True})).status_code == 404


async def test_a_group_is_created_private_and_a_taken_name_is_refused(
    forum: DiscourseStandIn, http: httpx.AsyncClient
) -> None:
    body = {"group": {"name": "ambassadors", "visibility_level": 2, "members_visibility_level": 2}}
    created = await http.post("/admin/groups.json", json=body)
    assert created.status_code == 200
    group = created.json()["basic_group"]
    assert (group["name"], group["visibility_level"], group["members_visibility_level"]) == (
        "ambassadors",
        2,
        2,
    )
    shown = (await http.get("/groups/ambassadors.json")).json()["group"]
    assert shown["visibility_level"] == 2
    taken = await http.post("/admin/groups.json", json={"group": {"name": "Ambassadors"}})
    assert taken.status_code == 422 and taken.json() == {"errors": ["Name has already been taken"]}
    missing = await http.post("/admin/groups.json", json={"name": "ambassadors"})
    assert missing.status_code == 400 and missing.json()["error_type"] == "invalid_parameters"
    assert len(forum.groups) == 1


async def test_webhook_validation_follows_the_model_and_creates_nothing(
    forum: DiscourseStandIn, http: httpx.AsyncClient
) -> None:
    answer = await http.post(
        "/admin/api/web_hooks.json",
        json={"web_hook": {"payload_url": "not a url", "secret": "short", "content_type": 1}},
    )
    assert answer.status_code == 422
    assert answer.json() == {
        "errors": [
            "Payload url is invalid",
            "Secret is too short (minimum is 12 characters)",
            "Web hook event types can't be blank",
        ]
    }
    unknown = await http.post(
        "/admin/api/web_hooks.json",
        json={"web_hook": {"payload_url": HOOK_URL, "web_hook_event_type_ids": [99999]}},
    )
    assert unknown.status_code == 404
    assert forum.web_hooks == {}


async def test_a_webhook_sent_as_form_fields_is_created_listed_and_updated(
    forum: DiscourseStandIn, http: httpx.AsyncClient
) -> None:
    form = [
        ("web_hook[payload_url]", HOOK_URL),
        ("web_hook[content_type]", "1"),
        ("web_hook[secret]", "a-secret-of-20-chars"),
        ("web_hook[active]", "true"),
        ("web_hook[web_hook_event_type_ids][]", "201"),
        ("web_hook[web_hook_event_type_ids][]", "1301"),
    ]
    created = (
        await http.post(
            "/admin/api/web_hooks.json",
            content=str(httpx.QueryParams(form)),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
    ).json()
    hook = created["web_hook"]
    assert [t["name"] for t in hook["web_hook_event_types"]] == ["post_created", "user_badge_granted"]
    assert hook["web_hook_event_types"][1] == {
        "id": 1301,
        "name": "user_badge_granted",
        "group": "user_badge",
    }
    listing = (await http.get("/admin/api/web_hooks.json")).json()
    assert [h["id"] for h in listing["web_hooks"]] == [hook["id"]] and listing["total_rows_web_hooks"] == 1
    names = {t["name"] for t in listing["extras"]["event_types"]}
    assert {"user_added_to_group", "user_removed_from_group", "topic_created"} <= names
    updated = await http.put(f"/admin/api/web_hooks/{hook['id']}.json", json={"web_hook": {"active": False}})
    assert updated.status_code == 200
    after = updated.json()["web_hook"]
    assert after["active"] is False and after["last_delivery_status"] == 4  # disabled
    assert after["payload_url"] == HOOK_URL and len(after["web_hook_event_types"]) == 2


async def test_the_admin_user_list_filters_by_exact_email_for_staff_only(
    forum: DiscourseStandIn, http: httpx.AsyncClient
) -> None:
    forum.add_user("dave", "Dave", email="dave@example.org")
    forum.add_user("davey", "Davey", email="davey@example.org")
    found = await http.get("/admin/users/list/active.json", params={"email": "DAVE@example.org"})
    assert found.status_code == 200 and [u["username"] for u in found.json()] == ["dave"]
    assert "email" not in found.json()[0]  # only with show_emails=true
    shown = await http.get(
        "/admin/users/list/active.json", params={"email": "dave@example.org", "show_emails": "true"}
    )
    assert shown.json()[0]["email"] == "dave@example.org"
    none = await http.get("/admin/users/list/active.json", params={"email": "dav@example.org"})
    assert none.json() == []

    forum.add_user("helper", "Helper")  # neither admin nor moderator
    forum.api_username = "helper"
    headers = {"Api-Key": KEY, "Api-Username": "helper"}
    refused = await http.get(
        "/admin/users/list/active.json", params={"email": "dave@example.org"}, headers=headers
    )
    assert refused.status_code == 403 and refused.json()["error_type"] == "invalid_access"
    forum.users["helper"]["moderator"] = True  # staff: listed, but addresses stay hidden
    listed = await http.get(
        "/admin/users/list/active.json",
        params={"email": "dave@example.org", "show_emails": "true"},
        headers=headers,
    )
    assert [u["username"] for u in listed.json()] == ["dave"] and "email" not in listed.json()[0]
