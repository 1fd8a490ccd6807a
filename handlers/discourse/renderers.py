"""The explicit registry of forum renderers: outbox message kind -> (title, Markdown).

As `handlers/slack/renderers.py` does for Block Kit: each entry decodes the row's data into its
typed message (`bot.program.messages.decode`; a row that does not fit is a `ValueError`, which the
deliverer fails for good) and draws the forum post. The title is None for a reply in a topic.
The composition root (`bot/runtime.py`) hands the result to the Discourse deliverer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC
from functools import cache
from typing import Any, TypeVar

from bot.program.events.messages import ForumEventReminder
from bot.program.groups.messages import ForumRecognition
from bot.program.linking.messages import LinkCodeMessage
from bot.program.messages import ForumReply, Message, decode
from bot.program.nominations.messages import ForumNominationInvite
from bot.program.onboarding.messages import ForumAnnouncement
from bot.program.text import plural

Post = tuple[str | None, str]  # (title or None, Markdown)
PostRenderer = Callable[[Mapping[str, Any]], Post]
M = TypeVar("M", bound=Message)


def typed(cls: type[M], build: Callable[[M], Post]) -> PostRenderer:
    def render(data: Mapping[str, Any]) -> Post:
        return build(decode(cls, data))

    render.message_type = cls  # type: ignore[attr-defined]  # read by the registry's checks
    return render


def _link_code(msg: LinkCodeMessage) -> Post:
    text = (
        f"Hello {msg.username},\n\nSomeone (hopefully you) asked to link this forum account to "
        f"their Slack account in {msg.program}. Your one-time code is:\n\n"
        f"**{msg.code}**\n\nIn Slack, type `{msg.command} link confirm {msg.code}` within "
        f"{plural(msg.minutes, 'minute')}. If this wasn't you, ignore this message: nothing changes without "
        "the code."
    )
    return "Your ambassador-bot link code", text


def _event_reminder(msg: ForumEventReminder) -> Post:
    start = msg.start.astimezone(UTC)
    link = f"\n\nJoin: {msg.link}" if msg.link else ""
    return None, f"Reminder: **{msg.title}** starts {start:%Y-%m-%d %H:%M} UTC.{link}"


def _recognition(msg: ForumRecognition) -> Post:
    return msg.title, msg.text


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|@])")


def _md(text: str, limit: int) -> str:
    """One line of a person's text, at most `limit` characters, that Markdown shows as typed (no
    headings, links, mentions or HTML)."""
    line = " ".join(text.split())
    line = line if len(line) <= limit else line[: limit - 1] + "…"
    return _MD_SPECIAL.sub(r"\\\1", line)


def _announcement(msg: ForumAnnouncement) -> Post:
    """The new ambassador's welcome: a reply in the announcements topic, or a new topic with this
    title (the deliverer gives a reply no title). A title is plain text, not Markdown."""
    program = _md(msg.program, 100) or "the ambassador program"
    lines = [f"Please welcome **{_md(msg.name, 80)}**, a new member of {program}!", ""]
    if msg.location:
        lines.append(f"- **Location:** {_md(msg.location, 100)}")
    if msg.expertise:
        lines.append(f"- **Expertise:** {_md(msg.expertise, 300)}")
    name = " ".join(msg.name.split())[:80] or "our new ambassador"
    title = f"Please welcome {name}, our new ambassador"
    return title, "\n".join(lines).strip()


def _nomination_invite(msg: ForumNominationInvite) -> Post:
    """A nominee who is not in Slack: who nominated them and why, and how to apply."""
    program = _md(msg.program, 100) or "the ambassador program"
    nominator = _md(msg.nominator, 80)
    lines = [
        f"Hello {_md(msg.username, 60)},",
        "",
        f"{nominator or 'A member of our Slack workspace'} nominated you to become one of the "
        f"{program}, and the moderators would love you to apply!",
    ]
    if msg.reason:
        lines += ["", f"What they said: {_md(msg.reason, 1000)}"]
    lines += [
        "",
        f"To apply, type `{msg.command} apply` in the program's Slack workspace: it opens the "
        "application form (give this forum username in it). Not in that workspace yet? Ask "
        f"{nominator or 'a moderator'} for an invitation.",
    ]
    return (
        f"You were nominated for {' '.join(msg.program.split())[:80] or 'the ambassador program'}",
        "\n".join(lines),
    )


def _reply(msg: ForumReply) -> Post:
    return None, msg.markdown


@dataclass(frozen=True)
class DiscourseRenderers:
    """Message kind -> forum post renderer."""

    posts: Mapping[str, PostRenderer]

    def render(self, template: str, data: Mapping[str, Any]) -> Post:
        try:
            builder = self.posts[template]
        except KeyError:
            raise ValueError(f"unknown forum message {template!r}") from None
        return builder(data)


@cache
def discourse_renderers() -> DiscourseRenderers:
    """The forum renderers of every feature (built once)."""
    return DiscourseRenderers(
        posts={
            LinkCodeMessage.kind: typed(LinkCodeMessage, _link_code),
            ForumEventReminder.kind: typed(ForumEventReminder, _event_reminder),
            ForumRecognition.kind: typed(ForumRecognition, _recognition),
            ForumReply.kind: typed(ForumReply, _reply),
            ForumAnnouncement.kind: typed(ForumAnnouncement, _announcement),
            ForumNominationInvite.kind: typed(ForumNominationInvite, _nomination_invite),
        }
    )
