"""Delivers Discourse outbox actions through the paced gateway.

Badges, group membership and posts; a row that may already have landed is looked up first (a
badge among the user's badges, a post by the short reference every bot post carries). The rows
carry the forum's Markdown already, so nothing here renders a template.
"""

from __future__ import annotations

import hashlib
from typing import Any

from bot.platforms.discourse.gateway import DiscourseGateway
from bot.program import outbox
from bot.program.failures import Permanent


def post_ref(key: str) -> str:
    return "ab-" + hashlib.sha256(key.encode()).hexdigest()[:8]


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
        if kind == outbox.DISCOURSE_REVOKE_BADGE:
            username, badge_id = str(payload["username"]), int(payload["badge_id"])
            held = await g.user_badge_ids(username)
            if badge_id not in held:
                return {"revoked": False}  # not (or no longer) held: nothing to undo
            await g.revoke_user_badge(held[badge_id])
            return {"revoked": True, "user_badge_id": held[badge_id]}
        if kind == outbox.DISCOURSE_ADD_TO_GROUP:
            added = await g.add_to_group(str(payload["group"]), str(payload["username"]))
            return {"added": added}
        if kind == outbox.DISCOURSE_REMOVE_FROM_GROUP:
            removed = await g.remove_from_group(str(payload["group"]), str(payload["username"]))
            return {"removed": removed}
        if kind == outbox.DISCOURSE_ADD_GROUP_OWNER:
            owners = await g.add_group_owner(str(payload["group"]), str(payload["username"]))
            return {"owners": owners}
        if kind == outbox.DISCOURSE_POST:
            # Every bot post carries a short visible reference derived from the outbox key, so a
            # retry after a crash or timeout can see whether the first attempt got through.
            ref = post_ref(key)
            body = {k: v for k, v in payload.items() if k not in (outbox.REDACT_AFTER, "on_delivered")}
            body["raw"] = f"{payload['raw']}\n\n<small>ref {ref}</small>"
            if payload.get("title") and payload.get("topic_id") is None:
                body["title"] = f"{payload['title']} ({ref})"
            if maybe_done:
                found = await g.find_own_post(body, ref)
                if found is not None:
                    return {"post_id": found, "recovered": True}
            post = await g.create_post(body)
            return {"post_id": post.get("id"), "topic_id": post.get("topic_id")}
        raise Permanent(f"not a Discourse action: {kind}")
