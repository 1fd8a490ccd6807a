"""The forum gateway against the Discourse stand-in, over real HTTP with pydiscourse: what the real
forum answers (paging, null counters, translated errors), and the gateway coping with it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from bot.platforms.discourse.deliverer import DiscourseDeliverer, post_ref
from bot.platforms.discourse.gateway import DiscourseGateway, ForumLookups
from bot.program import outbox
from bot.program.failures import Permanent, Transient
from bot.sandbox.discourse import DiscourseStandIn

KEY = "gateway-test-key"


@asynccontextmanager
async def forum_and_gateway(
    locale: str = "en", timeout: float = 10.0
) -> AsyncIterator[tuple[DiscourseStandIn, DiscourseGateway]]:
    forum = DiscourseStandIn(api_key=KEY, api_username="system", locale=locale, admin_limit_per_minute=6000)
    async with forum.serve() as url:
        yield forum, DiscourseGateway(url, KEY, "system", per_minute=6000, timeout=timeout)


async def test_badge_holders_reads_every_page_although_grant_count_is_null() -> None:
    """GET /user_badges.json?badge_id= pages by 96 and says "grant_count": null (no username
    given); 130 holders are two pages, and reconciliation must see all of them."""
    async with forum_and_gateway() as (forum, gateway):
        badge = forum.add_badge("Ambassador", badge_id=105)
        names = [f"member{i:03d}" for i in range(130)]
        for name in names:
            forum.add_user(name)
            forum.add_user_badge(name, badge)
        holders = await gateway.badge_holders(badge)
        assert sorted(holders) == names
        pages = forum.calls_to("GET", "/user_badges")
        assert [c[2].get("offset") for c in pages] == ["0", "96"]


async def test_a_retried_reply_in_a_45_post_topic_is_posted_once() -> None:
    """The first attempt lands but its answer is lost (the client times out); the retry must find
    the reply, which is the 45th post: not among the first 20 that /t/{id}/posts.json returns."""
    async with forum_and_gateway(timeout=1.0) as (forum, gateway):
        forum.add_user("dana")
        earlier = [("dana", f"Post number {i} here") for i in range(44)]
        topic = forum.add_topic("Monthly meetup thread", earlier)
        deliverer = DiscourseDeliverer(gateway)
        key = "forum-reply:4242"
        payload = {"raw": "Thanks, you are on the list.", "topic_id": topic, "reply_to_post_number": 44}
        forum.hang_next("POST", "/posts", seconds=3, after_effect=True)
        with pytest.raises(Transient):
            await deliverer.deliver(outbox.DISCOURSE_POST, key, payload, maybe_done=False)
        result = await deliverer.deliver(outbox.DISCOURSE_POST, key, payload, maybe_done=True)

        ref = post_ref(key)
        mine = [p for p in forum.posts if p["topic_id"] == topic and ref in p["raw"]]
        assert len(mine) == 1 and mine[0]["post_number"] == 45
        assert result == {"post_id": mine[0]["id"], "recovered": True}
        assert len(forum.calls_to("POST", "/posts")) == 1


async def test_a_retried_new_topic_in_a_category_is_posted_once() -> None:
    """A new topic (the welcome in `[program] announce_category_id`) whose answer is lost: the
    retry finds it among the topics the bot created, by the reference in its title."""
    async with forum_and_gateway(timeout=1.0) as (forum, gateway):
        forum.add_topic("Someone else's topic in the category", [("system", "Not ours")], category_id=7)
        deliverer = DiscourseDeliverer(gateway)
        key = "application:9:announce:forum"
        payload = {"raw": "Please welcome **Zoë**, a new ambassador!", "title": "Welcome Zoë", "category": 7}
        forum.hang_next("POST", "/posts", seconds=3, after_effect=True)
        with pytest.raises(Transient):
            await deliverer.deliver(outbox.DISCOURSE_POST, key, payload, maybe_done=False)
        result = await deliverer.deliver(outbox.DISCOURSE_POST, key, payload, maybe_done=True)

        ref = post_ref(key)
        [topic] = [t for t in forum.topics.values() if ref in str(t["title"])]
        assert topic["category_id"] == 7 and topic["title"] == f"Welcome Zoë ({ref})"
        assert result == {"post_id": topic["id"], "recovered": True}
        assert len(forum.calls_to("POST", "/posts")) == 1


async def test_an_account_is_found_by_its_email_without_asking_for_addresses() -> None:
    async with forum_and_gateway() as (forum, gateway):
        forum.add_user("dave", email="Dave@Example.org")
        assert await ForumLookups(gateway).account_for_email("dave@example.org") == "dave"
        assert await gateway.username_for_email("nobody@example.org") is None
        [call, _] = forum.calls_to("GET", "/admin/users/list/active")
        assert "show_emails" not in call[2]  # the forum neither logs nor returns addresses


@pytest.mark.parametrize("locale", ["de", "fr", "en"])
async def test_a_retried_group_add_succeeds_on_a_forum_in_any_language(locale: str) -> None:
    """The retry of an add that already happened gets Discourse's 422 "already a member", in the
    forum's language; the gateway decides from the user's groups, not from the words."""
    async with forum_and_gateway(locale) as (forum, gateway):
        forum.add_user("alice")
        forum.add_group("ambassadors", members=["alice"])
        assert await gateway.add_to_group("ambassadors", "alice") is False
        refusal = forum.calls_to("PUT", "/groups/")[-1]
        assert refusal[3] == 422
        # A refusal that is not about membership stays a refusal.
        with pytest.raises(Permanent):
            await gateway.add_to_group("ambassadors", "nobody-here")
        assert forum.members_of("ambassadors") == {"alice"}


async def test_the_gateway_uses_pydiscourse_public_calls_for_what_it_offers() -> None:
    """Group, topic posts, user by id and group members go through pydiscourse's public methods
    (the paths they use are the documented ones)."""
    async with forum_and_gateway() as (forum, gateway):
        uid = forum.add_user("alice")
        forum.add_group("ambassadors", group_id=41, members=["alice"])
        lookups = ForumLookups(gateway)
        assert await gateway.group_id("ambassadors") == 41
        assert await gateway.group_members("ambassadors") == {"alice"}
        assert await lookups.username_for(uid) == "alice"
        assert await lookups.find_account("ALICE") == "alice" and await lookups.find_account("bobby") is None
        paths = [c[1] for c in forum.calls]
        assert paths == [
            "/groups/ambassadors.json",
            "/groups/ambassadors/members.json",
            f"/admin/users/{uid}.json",
            "/users/ALICE.json",
            "/users/bobby.json",
        ]
