"""Delivers Discourse outbox actions through the paced gateway."""

from __future__ import annotations

from typing import Any

from bot.discourse import DiscourseGateway
from bot.platforms.errors import Permanent
from bot.program import outbox


class DiscourseDeliverer:
    def __init__(self, gateway: DiscourseGateway) -> None:
        self.gateway = gateway

    async def deliver(self, kind: str, key: str, payload: dict[str, Any], maybe_done: bool) -> dict[str, Any]:
        g = self.gateway
        if kind == outbox.DISCOURSE_GRANT_BADGE:
            username, badge_id = str(payload["username"]), int(payload["badge_id"])
            if maybe_done:
                held = await g.user_badge_ids(username)
                if badge_id in held:
                    return {"user_badge_id": held[badge_id], "recovered": True}
            ub_id = await g.grant_badge(username, badge_id, payload.get("reason"))
            return {"user_badge_id": ub_id}
        if kind == outbox.DISCOURSE_ADD_TO_GROUP:
            added = await g.add_to_group(str(payload["group"]), str(payload["username"]))
            return {"added": added}
        raise Permanent(f"not a Discourse action: {kind}")
