"""The ``forum …`` commands: what people do on the forum. The forum stand-in's state changes as
Discourse's would, and the bot hears of it by the signed webhook Discourse sends (the actor signs
and heads it as app/jobs/regular/emit_web_hook_event.rb does; the payloads are built by
``bot.sandbox.discourse.webhooks``, in the shapes of app/serializers/web_hook_*_serializer.rb)."""

from __future__ import annotations

from typing import Any

from bot.sandbox.discourse import DiscourseActor, group_user_payload, post_payload, user_badge_payload
from bot.sandbox.terminal.cast import GENERAL_TOPIC, GROUP, INTRO_TOPIC, PEOPLE
from bot.sandbox.terminal.screen import Screen
from bot.sandbox.world import add_topic

FORUM_USAGE = (
    "forum: ping | intro <text> | pm <text> | post <text mentioning @system> | grant <badge> "
    "| revoke <badge> | remove"
)
GRANTED_AT = "2026-01-01T00:00:00Z"


class ForumCommands(Screen):
    """The forum half of the ``Sandbox`` (which holds ``forum_actor``)."""

    forum_actor: DiscourseActor

    async def _forum(self, rest: str) -> None:
        word, _, text = rest.partition(" ")
        forum_name = PEOPLE[self.me][1]
        user = self.forum.users[forum_name]
        if word == "ping":
            resp = await self.forum_actor.send("ping", {})
            self.echo(f"  [forum → bot] ping webhook → HTTP {resp.status_code}")
            return
        if word in ("intro", "pm", "post") and not text.strip():
            raise ValueError(f"usage: forum {word} <text>")
        if word == "intro":
            await self._forum_post(INTRO_TOPIC, text, "regular", user)
        elif word == "pm":
            topic_id = max(self.forum.topics, default=100) + 1
            title, slug = f"Message from {forum_name}", "message"
            add_topic(
                self.forum,
                topic_id,
                title,
                slug=slug,
                user_id=user["id"],
                private_message=True,
                posts_count=0,
            )
            await self._forum_post(topic_id, text, "private_message", user)
        elif word == "post":
            await self._forum_post(GENERAL_TOPIC, text, "regular", user)
        elif word == "grant":
            await self._forum_grant(text.strip(), forum_name, user)
        elif word == "revoke":
            await self._forum_revoke(text.strip(), forum_name, user)
        elif word == "remove":
            await self._forum_remove(forum_name, user)
        else:
            raise ValueError(FORUM_USAGE)

    def _badge_named(self, badge_name: str) -> dict[str, Any]:
        badge = next(
            (b for b in self.forum.badges.values() if str(b["name"]).lower() == badge_name.lower()), None
        )
        if badge is None:
            raise ValueError(f"forum badges: {', '.join(str(b['name']) for b in self.forum.badges.values())}")
        return badge

    async def _forum_grant(self, badge_name: str, forum_name: str, user: dict[str, Any]) -> None:
        """A forum moderator grants a badge by hand (granted_by_id -1, as the system user)."""
        badge = self._badge_named(badge_name)
        ub_id = max((int(ub["id"]) for ub in self.forum.user_badges), default=0) + 1
        self.forum.user_badges.append(
            {
                "id": ub_id,
                "user_id": user["id"],
                "badge_id": badge["id"],
                "granted_at": GRANTED_AT,
                "created_at": GRANTED_AT,
                "granted_by_id": -1,
                "post_id": None,
                "reason": None,
            }
        )
        payload = user_badge_payload(ub_id, int(badge["id"]), int(user["id"]), -1)
        resp = await self.forum_actor.send("user_badge_granted", payload)
        granted = f"a forum moderator granted {badge['name']} to {forum_name}"
        self.echo(f"  [forum → bot] {granted} → {_result(resp)}")

    async def _forum_revoke(self, badge_name: str, forum_name: str, user: dict[str, Any]) -> None:
        """A forum moderator revokes a badge by hand: DELETE /user_badges/{id}.json
        (UserBadgesController#destroy → BadgeGranter.revoke, which removes the user badge and
        triggers ``user_badge_revoked`` with the removed row, UserBadgeSerializer)."""
        if not badge_name:
            raise ValueError("usage: forum revoke <badge>, e.g. forum revoke Ambassador")
        badge = self._badge_named(badge_name)
        mine = [ub for ub in self.forum.user_badges if ub["user_id"] == user["id"]]
        held = next((ub for ub in mine if ub["badge_id"] == badge["id"]), None)
        if held is None:
            badges = ", ".join(self.forum.badges_of(forum_name)) or "none"
            raise ValueError(f"{forum_name} does not hold {badge['name']} on the forum (badges: {badges})")
        self.forum.user_badges.remove(held)
        payload = user_badge_payload(
            int(held["id"]),
            int(held["badge_id"]),
            int(held["user_id"]),
            int(held["granted_by_id"]),
            granted_at=str(held["granted_at"]),
            created_at=str(held["created_at"]),
        )
        resp = await self.forum_actor.send("user_badge_revoked", payload)
        revoked = f"a forum moderator revoked {badge['name']} from {forum_name}"
        self.echo(f"  [forum → bot] {revoked} → {_result(resp)}")

    async def _forum_remove(self, forum_name: str, user: dict[str, Any]) -> None:
        """A forum moderator removes the person from the ambassadors group by hand (DELETE
        /groups/{id}/members.json, GroupsController#remove_member → ``user_removed_from_group``,
        WebHookGroupUserSerializer), as the stand-in's own route does."""
        group = self.forum.groups[GROUP]
        username = str(user["username"])
        if username not in group.members:
            members = ", ".join(sorted(group.members)) or "no one"
            raise ValueError(f"{forum_name} is not in the {GROUP} group on the forum (members: {members})")
        group.members.discard(username)
        group.owners.discard(username)
        group.added_at.pop(username, None)
        payload = group_user_payload(group.id, int(user["id"]))
        resp = await self.forum_actor.send("user_removed_from_group", payload)
        removed = f"a forum moderator removed {forum_name} from the {GROUP} group"
        self.echo(f"  [forum → bot] {removed} → {_result(resp)}")

    async def _forum_post(self, topic_id: int, text: str, archetype: str, user: dict[str, Any]) -> None:
        post = self.forum.add_post(str(user["username"]), topic_id, text)
        topic = self.forum.topics[topic_id]
        payload = post_payload(
            int(post["id"]),
            str(user["username"]),
            topic_id,
            text,
            post_number=int(post["post_number"]),
            topic_title=str(topic["title"]),
            user_id=int(user["id"]),
            archetype=archetype,
            topic_slug=str(topic["slug"]),
        )
        resp = await self.forum_actor.send("post_created", payload)
        self.echo(f"  [forum → bot] {user['username']} posted in topic {topic_id} → {_result(resp)}")


def _result(resp: Any) -> str:
    try:
        body = resp.json()
    except ValueError:
        return f"HTTP {resp.status_code}"
    note = body.get("note") or body.get("error") or body.get("result") or ""
    return f"HTTP {resp.status_code} {note}".strip()
