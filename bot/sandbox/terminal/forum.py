"""The ``forum …`` commands: what people do on the forum. The forum stand-in's state changes as
Discourse's would, and the bot hears of it by the signed webhook Discourse sends."""

from __future__ import annotations

from typing import Any

from bot.sandbox.discourse import DiscourseActor, post_payload, user_badge_payload
from bot.sandbox.terminal.cast import GENERAL_TOPIC, INTRO_TOPIC, PEOPLE
from bot.sandbox.terminal.screen import Screen
from bot.sandbox.world import add_topic

FORUM_USAGE = "forum: ping | intro <text> | pm <text> | post <text mentioning @system> | grant <badge>"
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
        else:
            raise ValueError(FORUM_USAGE)

    async def _forum_grant(self, badge_name: str, forum_name: str, user: dict[str, Any]) -> None:
        """A forum moderator grants a badge by hand (granted_by_id -1, as the system user)."""
        badge = next(
            (b for b in self.forum.badges.values() if str(b["name"]).lower() == badge_name.lower()), None
        )
        if badge is None:
            raise ValueError(f"forum badges: {', '.join(str(b['name']) for b in self.forum.badges.values())}")
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

    async def _forum_post(self, topic_id: int, text: str, archetype: str, user: dict[str, Any]) -> None:
        post_id = max((int(p["id"]) for p in self.forum.posts), default=1000) + 1000 + len(self.forum.posts)
        topic = self.forum.topics.get(topic_id)
        if topic is not None:
            topic["posts_count"] = int(topic["posts_count"]) + 1
        number = int(topic["posts_count"]) if topic else 1
        self.forum.posts.append(
            {
                "id": post_id,
                "topic_id": topic_id,
                "username": user["username"],
                "raw": text,
                "cooked": text,
                "post_number": number,
            }
        )
        payload = post_payload(
            post_id,
            str(user["username"]),
            topic_id,
            text,
            post_number=number,
            user_id=int(user["id"]),
            archetype=archetype,
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
