"""Announcing a new ambassador at approval (`[program] announce`, `announce_topic_id`,
`announce_category_id`): a welcome in the ambassadors' channel and, when configured, on the forum:
a reply in a topic, or a new topic in a category (a retry finds the first attempt by the reference
every bot post carries: among the topic's posts, or among the topics the bot created).

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
    if not settings.discourse.enabled:
        return
    forum = ForumAnnouncement(**facts)
    if program.announce_topic_id is not None:
        await outbox.forum_post(uow, f"{key}:forum", forum, now, topic_id=program.announce_topic_id)
    elif program.announce_category_id is not None:
        await outbox.forum_post(uow, f"{key}:forum", forum, now, category=program.announce_category_id)
