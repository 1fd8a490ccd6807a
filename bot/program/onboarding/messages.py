"""The messages of onboarding: the announcement of a new ambassador, in the ambassadors' channel
(`Announcement`) and, when configured, on the forum (`ForumAnnouncement`) — the counterpart of the
welcome email to the mailing list in the programs this one is drawn from.

The person agreed to what their application says; an announcement says only their name, location
and expertise from it (never an email, a forum username or the motivation).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

from bot.program.messages import Message


@dataclass(frozen=True)
class Announcement(Message):
    """ "Please welcome …" in the ambassadors' Slack channel."""

    kind: ClassVar[Literal["ambassador_announcement"]] = "ambassador_announcement"
    slack_user_id: str = ""  # the new ambassador, mentioned so the channel can say hello
    name: str = ""
    location: str = ""
    expertise: str = ""
    program: str = ""


@dataclass(frozen=True)
class ForumAnnouncement(Message):
    """The same welcome as a reply in the forum topic `[program] announce_topic_id`, or as a new
    topic in the category `announce_category_id`."""

    kind: ClassVar[Literal["forum_announcement"]] = "forum_announcement"
    name: str = ""
    location: str = ""
    expertise: str = ""
    program: str = ""
