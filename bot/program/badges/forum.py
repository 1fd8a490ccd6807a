"""What happens on the forum, brought into the bot's records (webhooks), exactly once.

Discourse may redeliver a webhook with a *new* event id, so each delivery is deduplicated on the
identity of its content (post id, user badge id, group membership id ...) in the same transaction
as its effect.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.program import outbox
from bot.program.badges.records import (
    ForumSideService,
    audit_person,
    linked_person,
    mark_granted,
    record_forum_grant,
)
from bot.program.messages import ForumReply, Notice
from storage.enums import AmbassadorStatus, BadgeGrantStatus, MembershipStatus, Platform
from storage.uow import UnitOfWork

log = logging.getLogger("ambassador_bot.forum")


async def _first_delivery(uow: UnitOfWork, key: str, now: datetime) -> bool:
    """True the first time the forum tells us about `key`; a redelivery is then a no-op."""
    return await uow.deliveries.first_time(Platform.DISCOURSE, key, now)


class ForumDirectory(Protocol):
    """Read-only look-ups on the forum (ids → names), cached by the implementation."""

    async def username_for(self, user_id: int) -> str | None: ...

    async def badge_name(self, badge_id: int) -> str | None: ...

    async def group_id(self, name: str) -> int: ...


@dataclass(frozen=True)
class ForumPost:
    post_id: int
    topic_id: int
    post_number: int
    username: str
    user_id: int | None
    raw: str
    archetype: str
    category_id: int | None
    topic_title: str


@dataclass(frozen=True)
class ForumTopic:
    topic_id: int
    username: str
    user_id: int | None
    category_id: int | None
    archetype: str


@dataclass(frozen=True)
class ForumUserBadge:
    user_badge_id: int
    badge_id: int
    user_id: int
    granted_by_id: int | None


@dataclass(frozen=True)
class ForumGroupUser:
    membership_id: int | None
    group_id: int
    user_id: int


@dataclass(frozen=True)
class ForumUser:
    user_id: int
    username: str


@dataclass(frozen=True)
class Outcome:
    """What a delivery did: 'done', 'duplicate' or 'ignored', with a short note."""

    result: str
    note: str = ""


DUPLICATE = Outcome("duplicate", "already processed")


class ForumService(ForumSideService[ForumDirectory]):
    """The webhooks' effects on the records, one method per forum event (its forum port is the
    `ForumDirectory`, for the names behind the ids a payload carries)."""

    # -- helpers ------------------------------------------------------------------------------

    async def _username(self, user_id: int) -> str | None:
        async with self._uow() as uow:
            person = await uow.forum.person_by_forum_user_id(user_id)
            if person is not None and person.forum_username:
                return person.forum_username
        if self._forum is None:
            return None
        return await self._forum.username_for(user_id)

    async def _intro(
        self, uow: UnitOfWork, username: str, user_id: int | None, where: str, now: datetime
    ) -> Outcome:
        """An intro posted on the forum (`where`: "post 12", "topic 3") ticks the author's intro
        step, when they are a linked, active ambassador with the step still open."""
        person = await linked_person(uow, username, user_id)
        if person is None:
            return Outcome("ignored", f"intro by {username}, who is not a linked ambassador")
        amb = await uow.ambassadors.for_person(person.id)
        actor = f"forum:{person.forum_username}"
        if (
            amb is None
            or amb.status != AmbassadorStatus.ACTIVE
            or not await uow.onboarding.complete(amb.id, "intro", actor, now)
        ):
            return Outcome("ignored", "no open intro step")
        after = {"step": "intro", "where": where}
        await audit_person(
            uow, now, actor, Platform.DISCOURSE, "onboarding.step_completed", person.id, after=after
        )
        return Outcome("done", "intro step completed")

    # -- posts and topics ---------------------------------------------------------------------

    async def post_created(self, post: ForumPost) -> Outcome:
        d = self._settings.discourse
        if post.username.lower() == d.api_username.lower():
            return Outcome("ignored", "the bot's own post")
        in_intro = d.intro_topic_id is not None and post.topic_id == d.intro_topic_id
        now = self._clock.now()
        async with self._uow() as uow:
            if not await _first_delivery(uow, f"post_created:{post.post_id}", now):
                return DUPLICATE
            if in_intro:
                return await self._intro(uow, post.username, post.user_id, f"post {post.post_id}", now)
        return Outcome("ignored", "not a post the bot acts on")

    async def topic_created(self, topic: ForumTopic) -> Outcome:
        d = self._settings.discourse
        if d.intro_category_id is None or topic.category_id != d.intro_category_id:
            return Outcome("ignored", "not in the intro category")
        now = self._clock.now()
        async with self._uow() as uow:
            if not await _first_delivery(uow, f"topic_created:{topic.topic_id}", now):
                return DUPLICATE
            return await self._intro(uow, topic.username, topic.user_id, f"topic {topic.topic_id}", now)

    # -- badges -------------------------------------------------------------------------------

    async def badge_granted(self, ub: ForumUserBadge) -> Outcome:
        username = await self._username(ub.user_id)
        if username is None:
            return Outcome("ignored", f"forum user {ub.user_id} unknown")
        badge_name = (await self._forum.badge_name(ub.badge_id) if self._forum else None) or ""
        now = self._clock.now()
        async with self._uow() as uow:
            if not await _first_delivery(uow, f"user_badge_granted:{ub.user_badge_id}", now):
                return DUPLICATE
            person = await linked_person(uow, username, ub.user_id)
            if person is None:
                return Outcome("ignored", f"{username} is not linked to anyone here")
            if await uow.forum.grant_by_forum_id(ub.user_badge_id) is not None:
                return Outcome("ignored", "grant already recorded")
            grant = await uow.forum.open_grant(person.id, ub.badge_id)
            if grant is not None and grant.forum_user_badge_id is None:
                # The bot's own grant, seen from the forum side before or after the outbox recorded
                # it: the same grant, counted once.
                mark_granted(grant, ub.user_badge_id, now)
                note = "matched the bot's own grant"
            elif grant is not None:
                # Already on record under another forum id (revoked and granted again while we
                # were not looking): still one badge, now under its new id.
                mark_granted(grant, ub.user_badge_id, None)
                note = "grant already on record; forum id updated"
            else:
                await record_forum_grant(uow, person.id, ub.badge_id, badge_name, ub.user_badge_id, now)
                note = "granted on the forum"
            after = {"badge_id": ub.badge_id, "badge": badge_name, "user_badge_id": ub.user_badge_id}
            actor = f"forum-user:{ub.granted_by_id}"
            await audit_person(uow, now, actor, Platform.DISCOURSE, "badge.granted", person.id, after=after)
        return Outcome("done", note)

    async def badge_revoked(self, ub: ForumUserBadge) -> Outcome:
        username = await self._username(ub.user_id)
        now = self._clock.now()
        async with self._uow() as uow:
            if not await _first_delivery(uow, f"user_badge_revoked:{ub.user_badge_id}", now):
                return DUPLICATE
            grant = await uow.forum.grant_by_forum_id(ub.user_badge_id)
            person = await uow.people.get(grant.person_id) if grant is not None else None
            if grant is None and username is not None:
                person = await linked_person(uow, username, ub.user_id)
                grant = await uow.forum.open_grant(person.id, ub.badge_id) if person else None
            if grant is None or person is None or grant.status == BadgeGrantStatus.REVOKED:
                return Outcome("ignored", "no such grant on record")
            grant.status, grant.revoked_at = BadgeGrantStatus.REVOKED, now
            await audit_person(
                uow,
                now,
                f"forum-user:{ub.granted_by_id}",
                Platform.DISCOURSE,
                "badge.revoked",
                person.id,
                before={"badge_id": grant.badge_id, "status": BadgeGrantStatus.GRANTED},
                after={"status": BadgeGrantStatus.REVOKED},
            )
            d = self._settings.discourse
            if (
                ub.badge_id == d.ambassador_badge_id
                and await uow.forum.ambassador_status(person.id) == AmbassadorStatus.ACTIVE
            ):
                await self._tell_moderators(
                    uow,
                    f"forum-revoke:{ub.user_badge_id}",
                    f"The ambassador badge of {person.forum_username} (an active ambassador) was removed "
                    "on the forum. `ambassador-bot sync discourse` grants it again; retire the person if "
                    "that was intended.",
                    now,
                )
        self._signal.kick()
        return Outcome("done", "revocation recorded")

    # -- groups -------------------------------------------------------------------------------

    async def group_changed(self, gu: ForumGroupUser, added: bool) -> Outcome:
        group = self._settings.discourse.ambassador_group
        if not group or self._forum is None:
            return Outcome("ignored", "no ambassadors group configured")
        if gu.group_id != await self._forum.group_id(group):
            return Outcome("ignored", "another group")
        username = await self._username(gu.user_id)
        if username is None:
            return Outcome("ignored", f"forum user {gu.user_id} unknown")
        event = "user_added_to_group" if added else "user_removed_from_group"
        identity = gu.membership_id if gu.membership_id is not None else f"{gu.group_id}-{gu.user_id}"
        now = self._clock.now()
        async with self._uow() as uow:
            if not await _first_delivery(uow, f"{event}:{identity}", now):
                return DUPLICATE
            person = await linked_person(uow, username, gu.user_id)
            status = MembershipStatus.MEMBER if added else MembershipStatus.REMOVED
            before, _row = await uow.forum.set_membership(
                group, username, person.id if person else None, status, "forum", now
            )
            if before == status:
                return Outcome("ignored", "membership already on record")
            await uow.audit.record(
                at=now,
                actor="forum",
                platform=Platform.DISCOURSE,
                action="group.member_added" if added else "group.member_removed",
                subject_type="person" if person else "forum_user",
                subject_id=person.id if person else username,
                before={"status": before} if before else None,
                after={"group": group, "status": status},
            )
        return Outcome("done", f"{username} {'added to' if added else 'removed from'} {group}")

    # -- users --------------------------------------------------------------------------------

    async def user_created(self, user: ForumUser) -> Outcome:
        now = self._clock.now()
        async with self._uow() as uow:
            if not await _first_delivery(uow, f"user_created:{user.user_id}", now):
                return DUPLICATE
            app = await uow.applications.pending_by_forum_username(user.username)
            if app is None:
                return Outcome("ignored", "no pending application with that forum username")
            person = app.person
            if person.forum_user_id not in (None, user.user_id):
                return Outcome("ignored", "applicant already has another forum account")
            if await uow.forum.person_by_forum_user_id(user.user_id) not in (None, person):
                return Outcome("ignored", "forum account already linked to someone else")
            person.forum_user_id = user.user_id
            after = {"forum_username": user.username, "forum_user_id": user.user_id, "application": app.id}
            await audit_person(
                uow, now, "forum", Platform.DISCOURSE, "person.forum_account_created", person.id, after=after
            )
        return Outcome("done", f"forum account {user.username} noted on application #{app.id}")

    # -- forum commands -----------------------------------------------------------------------

    def addressed_to_bot(self, post: ForumPost) -> str | None:
        """The command text when a post speaks to the bot (a PM to it, or an @mention), else None."""
        bot = self._settings.discourse.api_username
        if not bot or post.username.lower() == bot.lower():
            return None
        mention = re.search(rf"(?<![\w@])@{re.escape(bot)}\b[:,]?\s*(.*)", post.raw, re.IGNORECASE)
        if mention:
            return mention.group(1).splitlines()[0].strip() if mention.group(1) else ""
        if post.archetype == "private_message":
            lines = [ln.strip() for ln in post.raw.splitlines() if ln.strip()]
            return lines[0] if lines else ""
        return None

    async def slack_id_for(self, username: str, user_id: int | None) -> str | None:
        async with self._uow() as uow:
            person = await linked_person(uow, username, user_id)
            return person.slack_user_id if person else None

    async def answer(self, post: ForumPost, raw: str) -> Outcome:
        """Reply in the post's topic, once per post however often the webhook comes."""
        now = self._clock.now()
        async with self._uow() as uow:
            if not await _first_delivery(uow, f"post_created:{post.post_id}", now):
                return DUPLICATE
            key, reply = f"forum-reply:{post.post_id}", ForumReply(raw)
            await outbox.forum_post(uow, key, reply, now, topic_id=post.topic_id, reply_to=post.post_number)
        self._signal.kick()
        return Outcome("done", "answered a command")

    async def _tell_moderators(self, uow: UnitOfWork, key: str, text: str, now: datetime) -> None:
        channel = self._settings.slack.moderator_channel
        if channel:
            await outbox.post(uow, f"notice:{key}", channel, Notice(text), now)
