"""`user_created`: a new forum account matching a pending application's forum username."""

from __future__ import annotations

from typing import Any

from bot.platforms.discourse.parse import obj, req_int, text
from bot.program.badges.forum import ForumUser, Outcome
from bot.services import Services

EVENTS = ("user_created",)


async def handle(services: Services, payload: dict[str, Any], event: str) -> Outcome:
    u = obj(payload, "user")
    return await services.forum.user_created(
        ForumUser(user_id=req_int(u, "id", user=True), username=text(u, "username"))
    )
