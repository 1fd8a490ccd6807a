"""`user_badge_granted` / `user_badge_revoked`: ids only; the service resolves them."""

from __future__ import annotations

from typing import Any

from bot.platforms.discourse.parse import integer, obj, req_int
from bot.program.badges.forum import ForumUserBadge, Outcome
from bot.services import Services

EVENTS = ("user_badge_granted", "user_badge_revoked")


async def handle(services: Services, payload: dict[str, Any], event: str) -> Outcome:
    ub = obj(payload, "user_badge")
    parsed = ForumUserBadge(
        user_badge_id=req_int(ub, "id"),
        badge_id=req_int(ub, "badge_id"),
        user_id=req_int(ub, "user_id", user=True),
        granted_by_id=integer(ub, "granted_by_id", optional=True, user=True),
    )
    if event == "user_badge_granted":
        return await services.forum.badge_granted(parsed)
    return await services.forum.badge_revoked(parsed)
