"""The Discourse stand-in's post edit (PUT /posts/{id}.json, PostsController#update) over real HTTP
with pydiscourse: what the forum answers when a post is edited, refused, missing or too long."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from pydiscourse import DiscourseClient
from pydiscourse.exceptions import DiscourseClientError

from bot.sandbox.discourse import DiscourseStandIn
from bot.sandbox.discourse.routes_post_edit import MAX_POST_LENGTH

KEY = "forum-key"
FIRST = "The directory will be here soon, kept by the bot."


@pytest.fixture
async def forum() -> AsyncIterator[DiscourseStandIn]:
    standin = DiscourseStandIn(api_key=KEY, api_username="system")
    standin.add_user("alice", "Alice A.")
    async with standin.serve():
        yield standin


def client(forum: DiscourseStandIn, username: str = "system") -> DiscourseClient:
    return DiscourseClient(forum.base_url, api_username=username, api_key=KEY)


async def put(
    forum: DiscourseStandIn, post_id: int, username: str = "system", **fields: str
) -> httpx.Response:
    headers = {"Api-Key": KEY, "Api-Username": username}
    async with httpx.AsyncClient(base_url=forum.base_url) as http:
        return await http.put(f"/posts/{post_id}.json", data=fields, headers=headers)


def first_post(forum: DiscourseStandIn, topic_id: int) -> dict[str, object]:
    return next(p for p in forum.posts if p["topic_id"] == topic_id and p["post_number"] == 1)


async def test_an_edit_is_a_new_version_with_its_reason(forum: DiscourseStandIn) -> None:
    topic = forum.add_topic("Ambassador directory", [("alice", FIRST)], wiki=True)
    post = first_post(forum, topic)
    answer = await asyncio.to_thread(
        client(forum).update_post, post["id"], "# Ambassadors\n\nAna, Bo and Chen.", "directory update"
    )
    assert answer["post"]["raw"] == "# Ambassadors\n\nAna, Bo and Chen."
    assert answer["post"]["version"] == 2 and answer["post"]["edit_reason"] == "directory update"
    assert post["raw"] == "# Ambassadors\n\nAna, Bo and Chen."
    assert [name for name, _ in forum.events] == ["post_edited"]
    # The same text again is no revision (PostRevisor leaves an unchanged raw alone).
    again = await asyncio.to_thread(
        client(forum).update_post, post["id"], "# Ambassadors\n\nAna, Bo and Chen."
    )
    assert again["post"]["version"] == 2 and len(forum.events) == 1


async def test_who_may_edit_follows_the_guardian(forum: DiscourseStandIn) -> None:
    forum.add_user("bob", trust_level=1)
    forum.add_user("newbie", trust_level=0)
    wiki = first_post(forum, forum.add_topic("Ambassador directory", [("alice", FIRST)], wiki=True))
    plain = first_post(forum, forum.add_topic("Alice's own topic", [("alice", FIRST)]))
    for username in ("bob", "newbie"):
        forum.api_username = username  # the API key's user, as an admin would set it up
        on_plain = await put(forum, int(str(plain["id"])), username, **{"post[raw]": "Bob was here, again."})
        assert on_plain.status_code == 403, username
        assert on_plain.json()["error_type"] == "invalid_access"
    forum.api_username = "newbie"
    assert (
        await put(forum, int(str(wiki["id"])), "newbie", **{"post[raw]": "Newbie was here."})
    ).status_code == 403
    forum.api_username = "bob"  # trust level 1 may edit a wiki post
    assert (
        await put(forum, int(str(wiki["id"])), "bob", **{"post[raw]": "Bob edits the wiki."})
    ).status_code == 200
    assert wiki["raw"] == "Bob edits the wiki." and plain["raw"] == FIRST


async def test_refusals_say_why_and_change_nothing(forum: DiscourseStandIn) -> None:
    post = first_post(forum, forum.add_topic("Ambassador directory", [("alice", FIRST)], wiki=True))
    post_id = int(str(post["id"]))
    missing = await put(forum, 9999, **{"post[raw]": "Nobody is listed here."})
    assert missing.status_code == 404 and missing.json()["error_type"] == "not_found"
    no_post = await put(forum, post_id, raw="a raw outside post[...]")
    assert no_post.status_code == 400 and "post" in no_post.json()["errors"][0]
    too_long = await put(forum, post_id, **{"post[raw]": "x" * (MAX_POST_LENGTH + 1)})
    assert too_long.status_code == 422
    assert str(MAX_POST_LENGTH) in too_long.json()["errors"][0]
    short = await put(forum, post_id, **{"post[raw]": "tiny"})
    assert short.status_code == 422 and "too short" in short.json()["errors"][0]
    stale = await put(
        forum, post_id, **{"post[raw]": "A newer directory text.", "post[original_text]": "old"}
    )
    assert stale.status_code == 409
    with pytest.raises(DiscourseClientError):
        await asyncio.to_thread(client(forum).update_post, 9999, "Nobody is listed here.")
    assert post["raw"] == FIRST and post["version"] == 1 and forum.events == []
