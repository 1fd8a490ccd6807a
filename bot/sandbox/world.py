"""The stand-in Slack workspace and Discourse forum, populated, and the settings that wire a bot to
them: shared by the sandbox, the harness (tests) and the benchmarks."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass

from bot.sandbox.discourse import DiscourseStandIn
from bot.sandbox.slack import SlackStandIn

TomlValue = str | int | float | bool | list[str]


@dataclass(frozen=True)
class Secrets:
    """The credentials a bot and the stand-ins agree on."""

    bot_token: str
    signing_secret: str
    forum_key: str
    webhook_secret: str


def build_standins(
    secrets: Secrets,
    *,
    slack_users: Iterable[tuple[str, str]],
    channels: Iterable[tuple[str, str]],
    forum_users: Iterable[tuple[str, int | None]],
    badges: Iterable[tuple[str, int | None]],
    group: tuple[str, int | None],
) -> tuple[SlackStandIn, DiscourseStandIn]:
    """A Slack stand-in with ``slack_users`` (id, name) and ``channels`` (id, name) the bot has
    been invited to (it posts to them; a channel it is not in answers ``not_in_channel``), and a forum
    stand-in with its ``system`` API user, ``forum_users`` (username, id or None for the next id),
    ``badges`` (name, id or None) and one ``group`` (name, id or None)."""
    slack = SlackStandIn(bot_token=secrets.bot_token, signing_secret=secrets.signing_secret)
    for uid, name in slack_users:
        slack.add_user(uid, name)
    for cid, name in channels:
        slack.add_channel(cid, name, bot_member=True)
    forum = DiscourseStandIn(api_key=secrets.forum_key, api_username="system")
    forum.add_user("system")
    for username, forum_id in forum_users:
        forum.add_user(username, user_id=forum_id)
    for badge, badge_id in badges:
        forum.add_badge(badge, badge_id=badge_id)
    forum.add_group(*group)
    return slack, forum


def add_topic(
    forum: DiscourseStandIn,
    topic_id: int,
    title: str,
    *,
    slug: str,
    user_id: int,
    private_message: bool = False,
    category_id: int | None = None,
    posts_count: int = 1,
    created_at: str = "2026-01-01T00:00:00Z",
) -> int:
    """A topic in the forum, as topics are listed in it; a private message is to ``system``."""
    forum.topics[topic_id] = {
        "id": topic_id,
        "title": title,
        "slug": slug,
        "archetype": "private_message" if private_message else "regular",
        "category_id": category_id,
        "user_id": user_id,
        "target_recipients": ["system"] if private_message else [],
        "posts_count": posts_count,
        "created_at": created_at,
    }
    return topic_id


def platform_sections(
    slack_url: str,
    forum_url: str,
    secrets: Secrets,
    moderators: list[str],
    moderator_channel: str,
    badge_id: int,
    group: str,
) -> dict[str, dict[str, TomlValue]]:
    """The [slack] and [discourse] settings that wire a bot to the stand-ins at these URLs: its
    moderators and their channel, the ambassador badge and the ambassadors' forum group."""
    return {
        "slack": {
            "bot_token": secrets.bot_token,
            "signing_secret": secrets.signing_secret,
            "api_url": f"{slack_url}/api/",
            "moderator_channel": moderator_channel,
            "moderators": moderators,
        },
        "discourse": {
            "url": forum_url,
            "api_key": secrets.forum_key,
            "api_username": "system",
            "webhook_secret": secrets.webhook_secret,
            "ambassador_badge_id": badge_id,
            "ambassador_group": group,
        },
    }


def listeners_running() -> bool:
    """Whether Bolt listeners are still at work: Bolt acknowledges first and runs listeners in
    tasks of this loop (the bot is in-process)."""
    for task in asyncio.all_tasks():
        name = getattr(task.get_coro(), "__qualname__", "")
        if not task.done() and "run_ack_function_asynchronously" in name:
            return True
    return False
