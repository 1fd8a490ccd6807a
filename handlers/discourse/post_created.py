"""`post_created`: intro posts complete the intro step; PMs and mentions are commands."""

from __future__ import annotations

from typing import Any

from bot.platforms.discourse.parse import integer, obj, req_int, text
from bot.program.badges.forum import ForumPost, Outcome
from bot.services import Services
from handlers.discourse import commands

EVENTS = ("post_created",)


def parse_post(payload: dict[str, Any]) -> ForumPost:
    p = obj(payload, "post")
    return ForumPost(
        post_id=req_int(p, "id"),
        topic_id=req_int(p, "topic_id"),
        post_number=integer(p, "post_number", optional=True) or 1,
        username=text(p, "username"),
        user_id=integer(p, "user_id", optional=True, user=True),
        raw=text(p, "raw", optional=True),
        archetype=text(p, "topic_archetype", optional=True) or "regular",
        category_id=integer(p, "category_id", optional=True),
        topic_title=text(p, "topic_title", optional=True),
    )


async def handle(services: Services, payload: dict[str, Any], event: str) -> Outcome:
    post = parse_post(payload)
    answered = await commands.maybe_answer(services, post)
    if answered is not None:
        return answered
    return await services.forum.post_created(post)
