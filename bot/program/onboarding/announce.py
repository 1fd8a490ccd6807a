"""Announcing a new ambassador at approval (`[program] announce`, `announce_topic_id`): a welcome
in the ambassadors' channel and, when configured, a reply in a forum topic (a reply, because the
forum gateway posts replies and private messages; a reply's retry finds the first attempt by its
reference among the topic's posts).

Queued in the approval's unit of work under keys of the application, so an approval announces
exactly once however often it is retried; renewals never come here (the person was announced
when their first term started).
"""

from __future__ import annotations

from datetime import datetime

from bot.config import Settings
from bot.program import outbox
from bot.program.onboarding.messages import Announcement, ForumAnnouncement
from storage.models import Application
from storage.uow import UnitOfWork


async def queue_announcement(uow: UnitOfWork, settings: Settings, app: Application, now: datetime) -> None:
    """The announcements of `app`'s approval that the configuration asks for (none by default)."""
    program = settings.program
    facts = {"name": app.name, "location": app.location, "expertise": app.expertise, "program": program.name}
    key = f"application:{app.id}:announce"
    channel = settings.slack.ambassador_channel
    if program.announce and channel:
        message = Announcement(slack_user_id=app.person.slack_user_id or "", **facts)
        await outbox.post(uow, key, channel, message, now)
    if settings.discourse.enabled and program.announce_topic_id is not None:
        forum = ForumAnnouncement(**facts)
        await outbox.forum_post(uow, f"{key}:forum", forum, now, topic_id=program.announce_topic_id)
