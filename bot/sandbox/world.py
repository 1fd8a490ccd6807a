"""The stand-in Slack workspace and Discourse forum, populated: shared by the sandbox and the tests."""

from __future__ import annotations

from collections.abc import Iterable

from bot.sandbox.discourse import DiscourseStandIn
from bot.sandbox.slack import SlackStandIn


def build_standins(
    *,
    bot_token: str,
    signing_secret: str,
    forum_key: str,
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
    slack = SlackStandIn(bot_token=bot_token, signing_secret=signing_secret)
    for uid, name in slack_users:
        slack.add_user(uid, name)
    for cid, name in channels:
        slack.add_channel(cid, name, bot_member=True)
    forum = DiscourseStandIn(api_key=forum_key, api_username="system")
    forum.add_user("system")
    for username, forum_id in forum_users:
        forum.add_user(username, user_id=forum_id)
    for badge, badge_id in badges:
        forum.add_badge(badge, badge_id=badge_id)
    forum.add_group(*group)
    return slack, forum
