"""`user_added_to_group` / `user_removed_from_group` for the ambassadors group."""

from __future__ import annotations

from typing import Any

from bot.platforms.discourse.parse import integer, obj, req_int
from bot.program.badges.forum import ForumGroupUser, Outcome
from bot.services import Services

EVENTS = ("user_added_to_group", "user_removed_from_group")


async def handle(services: Services, payload: dict[str, Any], event: str) -> Outcome:
    gu = obj(payload, "group_user")
    parsed = ForumGroupUser(
        membership_id=integer(gu, "id", optional=True),
        group_id=req_int(gu, "group_id"),
        user_id=req_int(gu, "user_id", user=True),
    )
    return await services.forum.group_changed(parsed, added=event == "user_added_to_group")
