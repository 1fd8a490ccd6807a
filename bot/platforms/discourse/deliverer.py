"""Delivers Discourse outbox actions through the paced gateway.

Badges, group membership and posts; a row that may already have landed is looked up first (a
badge among the user's badges, a post by the short reference every bot post carries). A post is
a typed message (its kind and data); how it becomes the forum's title and Markdown is not decided
here: the composition root (bot.runtime) hands the deliverer its `PostRenderers`, so
bot.platforms never imports handlers. A row queued before posts were typed carries its Markdown
in `raw` and is posted as it is. The directory topic's post is drawn at delivery by the
`directory` source the composition root hands over (bot.program.public.forum_topic).
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol

from bot.platforms.discourse.gateway import DiscourseGateway
from bot.program import outbox
from bot.program.failures import Permanent
from bot.program.public.forum_topic import DirectoryPost


def post_ref(key: str) -> str:
    return "ab-" + hashlib.sha256(key.encode()).hexdigest()[:8]


class PostRenderers(Protocol):
    """How a forum post's message kind and data become its title (None: a reply) and Markdown;
    a `KeyError` or `ValueError` means this version cannot render the row."""

    def render(self, template: str, data: Mapping[str, Any]) -> tuple[str | None, str]: ...


# Payload keys that say how the row is kept or rendered, not what the forum is sent.
_NOT_SENT = (outbox.REDACT_AFTER, "on_delivered", "template", "data", outbox.NOT_AFTER)


class DiscourseDeliverer:
    def __init__(
        self,
        gateway: DiscourseGateway,
        renderers: PostRenderers | None = None,
        directory: Callable[[], Awaitable[DirectoryPost]] | None = None,
    ) -> None:
        self.gateway = gateway
        self.renderers = renderers
        self.directory = directory

    async def deliver(self, kind: str, key: str, payload: dict[str, Any], maybe_done: bool) -> dict[str, Any]:
        actions = {
            outbox.DISCOURSE_GRANT_BADGE: self._grant,
            outbox.DISCOURSE_REVOKE_BADGE: self._revoke,
            outbox.DISCOURSE_ADD_TO_GROUP: self._add,
            outbox.DISCOURSE_REMOVE_FROM_GROUP: self._remove,
            outbox.DISCOURSE_ADD_GROUP_OWNER: self._add_owner,
            outbox.DISCOURSE_POST: self._post,
            outbox.DISCOURSE_EDIT_DIRECTORY: self._edit_directory,
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

    def _content(self, payload: dict[str, Any]) -> tuple[str | None, str]:
        """The post's title and Markdown: drawn from its typed message, or as an older row kept them."""
        if "template" not in payload:
            return payload.get("title"), str(payload["raw"])
        if self.renderers is None:
            raise Permanent("cannot build the forum post: no forum renderers")
        try:
            return self.renderers.render(str(payload["template"]), payload.get("data") or {})
        except (KeyError, ValueError) as err:
            raise Permanent(f"cannot build the forum post: {err}") from None

    async def _post(self, key: str, payload: dict[str, Any], maybe_done: bool) -> dict[str, Any]:
        # Every bot post carries a short visible reference derived from the outbox key, so a
        # retry after a crash or timeout can see whether the first attempt got through.
        ref = post_ref(key)
        title, raw = self._content(payload)
        body = {k: v for k, v in payload.items() if k not in _NOT_SENT}
        body.pop("title", None)
        body["raw"] = f"{raw}\n\n<small>ref {ref}</small>"
        if title and payload.get("topic_id") is None:
            body["title"] = f"{title} ({ref})"
        if maybe_done:
            found = await self.gateway.find_own_post(body, ref)
            if found is not None:
                return {"post_id": found, "recovered": True}
        post = await self.gateway.create_post(body)
        return {"post_id": post.get("id"), "topic_id": post.get("topic_id")}

    async def _edit_directory(self, key: str, payload: dict[str, Any], maybe_done: bool) -> dict[str, Any]:
        """The directory topic's first post, as the listed profiles are now (not as they were when
        the row was queued): an edit repeated after a crash sends the same text again, which the
        forum takes as no change; a post that already says it is left alone."""
        topic_id = int(payload["topic_id"])
        if self.directory is None:
            raise Permanent("cannot draw the directory topic: no directory source")
        post = await self.directory()
        try:
            first = await self.gateway.first_post(topic_id)
            post_id = int(first["id"])
            if str(first.get("raw", "")).strip() == post.raw.strip():
                return {"post_id": post_id, "unchanged": True, "sha256": post.sha256}
            edited = await self.gateway.edit_post(post_id, post.raw, post.reason)
        except Permanent as err:
            raise Permanent(f"cannot edit the directory topic {topic_id}: {err}") from None
        return {"post_id": post_id, "version": edited.get("version"), "sha256": post.sha256}
