"""The Discourse stand-in and its actor, over real HTTP with pydiscourse and Discourse's own spec vector."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from pydiscourse import DiscourseClient
from pydiscourse.exceptions import DiscourseClientError

from bot.sandbox.discourse import DiscourseActor, DiscourseStandIn, post_payload
from bot.sandbox.http import serve_asgi
from tests.sandbox.helpers import FakeClock, Receiver

FORUM_KEY = "forum-key"

# Discourse's own spec vector (spec/jobs/emit_web_hook_event_spec.rb), see
# tests/fixtures/signature_vector_discourse_spec.json (copied from the shared fixtures).
DISCOURSE_SPEC_SECRET = "my_lovely_secret_for_web_hook"
DISCOURSE_SPEC_BODY = b'{"ping":"OK"}'
DISCOURSE_SPEC_SIGNATURE = "sha256=162f107f6b5022353274eb1a7197885cfd35744d8d08e5bcea025d309386b7d6"


@pytest.fixture
async def forum() -> AsyncIterator[DiscourseStandIn]:
    standin = DiscourseStandIn(api_key=FORUM_KEY, api_username="system")
    standin.add_user("alice", "Alice A.")
    standin.add_user("bob")
    standin.add_badge("Ambassador", badge_id=105)
    standin.add_group("ambassadors", group_id=41)
    async with standin.serve():
        yield standin


def pydiscourse_client(forum: DiscourseStandIn, key: str = FORUM_KEY) -> DiscourseClient:
    return DiscourseClient(forum.base_url, api_username="system", api_key=key)


# ---------------------------------------------------------------------- Discourse stand-in


async def test_pydiscourse_grants_lists_and_manages_groups(forum: DiscourseStandIn) -> None:
    client = pydiscourse_client(forum)
    granted = await asyncio.to_thread(client.grant_badge_to, "alice", 105)
    assert granted["user_badge"]["badge_id"] == 105 and granted["user_badge"]["granted_by_id"] == -1
    assert granted["badges"][0]["name"] == "Ambassador"
    again = await asyncio.to_thread(client.grant_badge_to, "alice", 105)
    assert again["user_badge"]["id"] == granted["user_badge"]["id"]  # not multiple_grant: no duplicate
    listed = await asyncio.to_thread(client.user_badges, "alice")
    assert [ub["badge_id"] for ub in listed["user_badges"]] == [105]
    assert forum.badges_of("alice") == ["Ambassador"]

    added = await asyncio.to_thread(client.add_group_members, 41, ["alice"])
    assert added == {"success": "OK", "usernames": ["alice"], "emails": []}
    with pytest.raises(DiscourseClientError) as err:
        await asyncio.to_thread(client.add_group_member, 41, "alice")
    assert "already a member" in str(err.value) and err.value.response.status_code == 422
    members = await asyncio.to_thread(client.group_members, "ambassadors")
    assert [m["username"] for m in members] == ["alice"]
    assert forum.members_of("ambassadors") == {"alice"}
    removed = await asyncio.to_thread(client.delete_group_member, 41, "bob")
    assert removed == {"success": "OK", "usernames": [], "skipped_usernames": ["bob"]}

    user = await asyncio.to_thread(client.user, "alice")
    assert user["username"] == "alice" and user["badge_count"] == 1
    pm = await asyncio.to_thread(
        client.create_post,
        "Welcome aboard, alice! Here is your checklist.",
        title="Welcome",
        archetype="private_message",
        target_recipients="alice",
    )
    assert pm["post_number"] == 1 and pm["topic_id"] > 0
    assert [p["raw"] for p in forum.pms_to("alice")] == ["Welcome aboard, alice! Here is your checklist."]
    assert len(forum.calls_to("POST", "/user_badges")) == 2
    assert forum.events[0][0] == "user_badge_granted"


async def test_discourse_validation_and_auth_errors(forum: DiscourseStandIn) -> None:
    async with httpx.AsyncClient(base_url=forum.base_url) as http:
        auth = {"Api-Key": FORUM_KEY, "Api-Username": "system"}
        bad = await http.get("/admin/badges.json", headers={"Api-Key": "nope", "Api-Username": "system"})
        assert bad.status_code == 403 and bad.json()["error_type"] == "invalid_access"
        ok = await http.get("/admin/badges.json", headers=auth)
        assert ok.headers["content-type"] == "application/json; charset=utf-8"
        assert ok.json()["badges"][0]["id"] == 105 and ok.json()["badge_types"]
        missing = await http.post("/user_badges.json", data={"badge_id": "105"}, headers=auth)
        assert missing.status_code == 400
        assert missing.json()["errors"] == ["param is missing or the value is empty: username"]
        nobody = await http.post(
            "/user_badges.json", data={"username": "zed", "badge_id": "105"}, headers=auth
        )
        assert nobody.status_code == 404 and nobody.json()["error_type"] == "not_found"
        no_badge = await http.post(
            "/user_badges", data={"username": "alice", "badge_id": "999"}, headers=auth
        )
        assert no_badge.status_code == 404
        reason = await http.post(
            "/user_badges", data={"username": "alice", "badge_id": "105", "reason": "thanks!"}, headers=auth
        )
        assert reason.status_code == 400 and reason.json() == {
            "failed": "FAILED",
            "message": "Reason must be a link to a post or topic",
        }
        short = await http.post(
            "/posts.json", data={"raw": "hi", "title": "A valid topic title"}, headers=auth
        )
        assert short.status_code == 422 and "too short" in short.json()["errors"][0]
        assert (await http.get("/groups/nope.json", headers=auth)).status_code == 404
        assert (await http.get("/nothing/here.json", headers=auth)).status_code == 404
        info = await http.get("/site/basic-info.json")  # no credentials needed
        assert info.status_code == 200 and info.json()["title"] == "Sandbox Forum"
        forum.down = True
        down = await http.get("/admin/badges.json", headers=auth)
        assert down.status_code == 502 and down.headers["content-type"].startswith("text/html")
        forum.down = False
        forum.fail_next("PUT", "/groups/", times=1, status=500)
        failed = await http.put("/groups/41/members.json", json={"usernames": "bob"}, headers=auth)
        assert failed.status_code == 500
        assert forum.calls[-1][:2] == ("PUT", "/groups/41/members.json") and forum.calls[-1][3] == 500


async def test_the_61st_admin_call_in_a_minute_is_rate_limited() -> None:
    clock = FakeClock()
    forum = DiscourseStandIn(api_key=FORUM_KEY, clock=clock)
    forum.add_user("alice")
    async with forum.serve():
        client = pydiscourse_client(forum)
        await asyncio.to_thread(client.user, "alice")
        async with httpx.AsyncClient(base_url=forum.base_url) as http:
            auth = {"Api-Key": FORUM_KEY, "Api-Username": "system"}
            for _ in range(58):
                clock.now += 0.5
                assert (await http.get("/u/alice.json", headers=auth)).status_code == 200
            await asyncio.to_thread(client.badges)  # the 60th
            clock.now += 1.0
            limited = await http.get("/u/alice.json", headers=auth)
            assert limited.status_code == 429
            wait = int(limited.headers["Retry-After"])
            assert 1 <= wait <= 60 and wait == limited.json()["extras"]["wait_seconds"]
            assert limited.headers["Discourse-Rate-Limit-Error-Code"] == "admin_api_key_rate_limit"
            assert limited.headers["content-type"] == "application/json; charset=utf-8"
            assert limited.json()["error_type"] == "rate_limit"
            assert forum.rate_limited == 1
            clock.now += wait
            assert (await http.get("/u/alice.json", headers=auth)).status_code == 200


# ---------------------------------------------------------------------- Discourse actor


async def test_discourse_actor_ping_matches_discourse_spec_vector() -> None:
    # The copy in tests/fixtures, so a fresh clone checks it too (not a path on one machine).
    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "signature_vector_discourse_spec.json"
    vector = json.loads(fixture.read_text())
    assert (vector["secret"], vector["body"].encode(), vector["signature"]) == (
        DISCOURSE_SPEC_SECRET,
        DISCOURSE_SPEC_BODY,
        DISCOURSE_SPEC_SIGNATURE,
    )
    receiver = Receiver()
    async with serve_asgi(receiver.app) as bot_url:
        async with DiscourseActor(bot_url, DISCOURSE_SPEC_SECRET) as actor:
            resp = await actor.send("ping", {})
            assert resp.status_code == 200
            headers, body = receiver.requests[-1]
            assert body == DISCOURSE_SPEC_BODY
            assert headers["x-discourse-event-signature"] == DISCOURSE_SPEC_SIGNATURE
            assert headers["content-length"] == "13" and headers["content-type"] == "application/json"
            assert headers["x-discourse-event-type"] == "ping" and headers["x-discourse-event"] == "ping"
            assert headers["x-discourse-event-id"] == "1"
            assert headers["user-agent"].startswith("Discourse/")

            payload = post_payload(12, "alice", 10, "Hello forum", topic_title="Hello")
            await actor.send("post_created", payload)
            headers, body = receiver.requests[-1]
            assert json.loads(body) == {"post": payload}
            assert headers["x-discourse-event-type"] == "post" and headers["x-discourse-event-id"] == "2"
            assert headers["x-discourse-event-signature"] == actor.signature(body)
            await actor.send("user_badge_granted", actor.user_badge_payload(13, 105, 1, -1))
            assert receiver.requests[-1][0]["x-discourse-event-type"] == "user_badge"
            await actor.send("user_added_to_group", actor.group_user_payload(41, 1))
            assert receiver.requests[-1][0]["x-discourse-event-type"] == "group_user"
            await actor.send("user_created", actor.user_payload(4, "adsad", None, "a@example.org"))
            assert json.loads(receiver.requests[-1][1])["user"]["username"] == "adsad"
            await actor.send("ping", {}, event_id=99, signature_override="sha256=bad")
            assert receiver.requests[-1][0]["x-discourse-event-signature"] == "sha256=bad"
            assert receiver.requests[-1][0]["x-discourse-event-id"] == "99"


FIXTURES = Path(__file__).parents[1] / "fixtures" / "discourse"


def _captured_payload(name: str, inner: dict[str, object]) -> dict[str, object]:
    """The webhook object for a captured delivery, made with the stand-in's builders."""
    from bot.sandbox.discourse import group_user_payload, user_badge_payload

    def num(key: str) -> int:
        return int(str(inner[key]))

    if name.startswith("user_badge_"):
        return user_badge_payload(
            num("id"),
            num("badge_id"),
            num("user_id"),
            num("granted_by_id"),
            granted_at=str(inner["granted_at"]),
            created_at=str(inner["created_at"]),
        )
    return group_user_payload(
        num("group_id"), num("user_id"), group_user_id=num("id"), created_at=str(inner["created_at"])
    )


@pytest.mark.parametrize("name", ["user_badge_revoked", "user_added_to_group"])
def test_the_forum_sends_hand_made_changes_byte_for_byte_as_discourse_does(name: str) -> None:
    """`forum revoke` / `forum remove` deliver through the actor: the body, headers and
    signature are those of the captured Discourse 2025.12 deliveries (tests/fixtures/discourse)."""
    fx = json.loads((FIXTURES / f"{name}.request.json").read_text(encoding="utf-8"))
    ((_kind, inner),) = fx["body"].items()
    sent = fx["headers"]
    actor = DiscourseActor(
        "http://127.0.0.1:1", fx["secret_used_for_signature"], instance_url=sent["X-Discourse-Instance"]
    )
    event_id = int(sent["X-Discourse-Event-Id"])
    body, headers = actor.build(name, _captured_payload(name, inner), event_id=event_id)
    assert body == fx["raw_body_compact"].encode("utf-8")
    assert headers == {k: v for k, v in sent.items() if k != "Content-Length"}


def test_a_removal_from_a_group_is_a_group_user_webhook_signed_over_its_raw_body() -> None:
    """user_removed_from_group shares the group_user type (config/initializers/012-web_hook_events.rb)."""
    from bot.sandbox.discourse import group_user_payload

    actor = DiscourseActor("http://127.0.0.1:1", DISCOURSE_SPEC_SECRET)
    body, headers = actor.build("user_removed_from_group", group_user_payload(41, 7), event_id=9)
    assert headers["X-Discourse-Event"] == "user_removed_from_group"
    assert headers["X-Discourse-Event-Type"] == "group_user"
    assert headers["X-Discourse-Event-Signature"] == actor.signature(body)
    assert json.loads(body)["group_user"]["user_id"] == 7
