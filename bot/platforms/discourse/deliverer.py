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
        actions = {
            outbox.DISCOURSE_GRANT_BADGE: self._grant,
            outbox.DISCOURSE_REVOKE_BADGE: self._revoke,
            outbox.DISCOURSE_ADD_TO_GROUP: self._add,
            outbox.DISCOURSE_REMOVE_FROM_GROUP: self._remove,
            outbox.DISCOURSE_ADD_GROUP_OWNER: self._add_owner,
            outbox.DISCOURSE_POST: self._post,
        }
        action = actions.get(kind)
        if action is None:
            raise Permanent(f"not a Discourse action: {kind}")
        return await action(key, payload, maybe_done)

    async def _grant(self, key: str, payload: dict[str, Any], maybe_done: bool) -> dict[str, Any]:
        username, badge_id = str(payload["username"]), int(payload["badge_id"])
        if maybe_done:
            held = await self.gateway.user_badge_ids(username)
            if badge_id in held:
                return {"user_badge_id": held[badge_id], "recovered": True}
        ub_id = await self.gateway.grant_badge(username, badge_id, payload.get("reason"))
        return {"user_badge_id": ub_id}

    async def _revoke(self, key: str, payload: dict[str, Any], maybe_done: bool) -> dict[str, Any]:
        username, badge_id = str(payload["username"]), int(payload["badge_id"])
        held = await self.gateway.user_badge_ids(username)
        if badge_id not in held:
            return {"revoked": False}  # not (or no longer) held: nothing to undo
        await self.gateway.revoke_user_badge(held[badge_id])
        return {"revoked": True, "user_badge_id": held[badge_id]}

    async def _add(self, key: str, payload: dict[str, Any], maybe_done: bool) -> dict[str, Any]:
        return {"added": await self.gateway.add_to_group(str(payload["group"]), str(payload["username"]))}

    async def _remove(self, key: str, payload: dict[str, Any], maybe_done: bool) -> dict[str, Any]:
        removed = await self.gateway.remove_from_group(str(payload["group"]), str(payload["username"]))
        return {"removed": removed}

    async def _add_owner(self, key: str, payload: dict[str, Any], maybe_done: bool) -> dict[str, Any]:
        owners = await self.gateway.add_group_owner(str(payload["group"]), str(payload["username"]))
        return {"owners": owners}

    async def _post(self, key: str, payload: dict[str, Any], maybe_done: bool) -> dict[str, Any]:
        # Every bot post carries a short visible reference derived from the outbox key, so a
        # retry after a crash or timeout can see whether the first attempt got through.
        ref = post_ref(key)
        body = {k: v for k, v in payload.items() if k not in (outbox.REDACT_AFTER, "on_delivered")}
        body["raw"] = f"{payload['raw']}\n\n<small>ref {ref}</small>"
        if payload.get("title") and payload.get("topic_id") is None:
            body["title"] = f"{payload['title']} ({ref})"
        if maybe_done:
            found = await self.gateway.find_own_post(body, ref)
            if found is not None:
                return {"post_id": found, "recovered": True}
        post = await self.gateway.create_post(body)
        return {"post_id": post.get("id"), "topic_id": post.get("topic_id")}
