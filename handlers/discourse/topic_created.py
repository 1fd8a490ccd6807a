"""`topic_created`: a new topic in the intro category is an introduction."""

from __future__ import annotations

from typing import Any

from bot.platforms.discourse.parse import integer, obj, req_int, text
from bot.program.badges.forum import ForumTopic, Outcome
from bot.services import Services

EVENTS = ("topic_created",)


async def handle(services: Services, payload: dict[str, Any], event: str) -> Outcome:
    t = obj(payload, "topic")
    raw_by = t.get("created_by")
    created_by: dict[str, Any] = raw_by if isinstance(raw_by, dict) else {}
    topic = ForumTopic(
        topic_id=req_int(t, "id"),
        username=text(created_by, "username", optional=True),
        user_id=integer(t, "user_id", optional=True, user=True),
        category_id=integer(t, "category_id", optional=True),
        archetype=text(t, "archetype", optional=True) or "regular",
    )
    return await services.forum.topic_created(topic)
