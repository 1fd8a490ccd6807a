"""The answers to `link` (the code to type in the forum, and the confirmation)."""

from __future__ import annotations

from bot.program.linking.service import Linked, LinkStarted
from handlers.slack.blocks import escape

# -- linking ---------------------------------------------------------------------------------


def link_started_message(started: LinkStarted, command: str) -> str:
    return (
        f"I sent a one-time code to *{escape(started.forum_username)}* by private message on the forum. "
        f"Type `{command} link confirm CODE` here within 15 minutes (until {started.expires_at:%H:%M} UTC)."
    )


def linked_message(linked: Linked, mine: bool) -> str:
    who = "Your Slack account is" if mine else f"<@{linked.slack_user_id}> is"
    was = (
        f" (was {escape(linked.previous)})"
        if linked.previous and linked.previous != linked.forum_username
        else ""
    )
    return f"✅ {who} now linked to the forum account *{escape(linked.forum_username)}*{was}."
