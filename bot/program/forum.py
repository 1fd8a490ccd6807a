"""What happens on the forum, brought into the bot's records (webhooks), exactly once.

Discourse may redeliver a webhook with a *new* event id, so each delivery is deduplicated on the
identity of its content (post id, user badge id, group membership id ...) in the same transaction
as its effect.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from bot.config import Settings
from bot.program import outbox
from bot.program.ports import Clock, NoSignal, OutboxSignal
from storage.enums import AmbassadorStatus, BadgeGrantStatus, MembershipStatus, Platform
from storage.forum import BadgeGrant
from storage.models import Person
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


class ForumService:
    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        settings: Settings,
        directory: ForumDirectory | None,
        clock: Clock,
        signal: OutboxSignal | None = None,
    ) -> None:
        self._uow = uow
        self._settings = settings
        self._directory = directory
        self._clock = clock
        self._signal = signal or NoSignal()

    # -- helpers ------------------------------------------------------------------------------

    async def _linked_person(self, uow: UnitOfWork, username: str, user_id: int | None) -> Person | None:
        """The person this forum account belongs to, only once it is linked (proven or vouched)."""
        person = await uow.forum.person_by_forum_user_id(user_id) if user_id is not None else None
        if person is None:
            person = await uow.people.by_forum_username(username)
        if person is None or person.forum_linked_at is None:
            return None
        if user_id is not None and person.forum_user_id is None:
            person.forum_user_id = user_id
        return person

    async def _username(self, user_id: int) -> str | None:
        async with self._uow() as uow:
            person = await uow.forum.person_by_forum_user_id(user_id)
            if person is not None and person.forum_username:
                return person.forum_username
        if self._directory is None:
            return None
        return await self._directory.username_for(user_id)

    async def _complete_intro(self, uow: UnitOfWork, person: Person, where: str, now: datetime) -> bool:
        amb = await uow.ambassadors.for_person(person.id)
        if amb is None or amb.status != AmbassadorStatus.ACTIVE:
            return False
        if not await uow.onboarding.complete(amb.id, "intro", f"forum:{person.forum_username}", now):
            return False
        await uow.audit.record(
            at=now,
            actor=f"forum:{person.forum_username}",
            platform=Platform.DISCOURSE,
            action="onboarding.step_completed",
            subject_type="person",
            subject_id=person.id,
            after={"step": "intro", "where": where},
        )
        return True

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
                person = await self._linked_person(uow, post.username, post.user_id)
                if person is None:
                    return Outcome("ignored", f"intro by {post.username}, who is not a linked ambassador")
                done = await self._complete_intro(uow, person, f"post {post.post_id}", now)
                return Outcome(
                    "done" if done else "ignored", "intro step completed" if done else "no open intro step"
                )
        return Outcome("ignored", "not a post the bot acts on")

    async def topic_created(self, topic: ForumTopic) -> Outcome:
        d = self._settings.discourse
        if d.intro_category_id is None or topic.category_id != d.intro_category_id:
            return Outcome("ignored", "not in the intro category")
        now = self._clock.now()
        async with self._uow() as uow:
            if not await _first_delivery(uow, f"topic_created:{topic.topic_id}", now):
                return DUPLICATE
            person = await self._linked_person(uow, topic.username, topic.user_id)
            if person is None:
                return Outcome("ignored", f"intro by {topic.username}, who is not a linked ambassador")
            done = await self._complete_intro(uow, person, f"topic {topic.topic_id}", now)
        return Outcome(
            "done" if done else "ignored", "intro step completed" if done else "no open intro step"
        )

    # -- badges -------------------------------------------------------------------------------

    async def badge_granted(self, ub: ForumUserBadge) -> Outcome:
        username = await self._username(ub.user_id)
        if username is None:
            return Outcome("ignored", f"forum user {ub.user_id} unknown")
        badge_name = (await self._directory.badge_name(ub.badge_id) if self._directory else None) or ""
        now = self._clock.now()
        async with self._uow() as uow:
            if not await _first_delivery(uow, f"user_badge_granted:{ub.user_badge_id}", now):
                return DUPLICATE
            person = await self._linked_person(uow, username, ub.user_id)
            if person is None:
                return Outcome("ignored", f"{username} is not linked to anyone here")
            if await uow.forum.grant_by_forum_id(ub.user_badge_id) is not None:
                return Outcome("ignored", "grant already recorded")
            grant = await uow.forum.open_grant(person.id, ub.badge_id)
            if grant is not None and grant.forum_user_badge_id is None:
                # The bot's own grant, seen from the forum side before or after the outbox recorded
                # it: the same grant, counted once.
                grant.forum_user_badge_id, grant.status = ub.user_badge_id, BadgeGrantStatus.GRANTED
                grant.granted_at = grant.granted_at or now
                note = "matched the bot's own grant"
            elif grant is not None:
                # Already on record under another forum id (revoked and granted again while we
                # were not looking): still one badge, now under its new id.
                grant.forum_user_badge_id, grant.status = ub.user_badge_id, BadgeGrantStatus.GRANTED
                note = "grant already on record; forum id updated"
            else:
                await uow.badges.add(
                    BadgeGrant(
                        person_id=person.id,
                        badge_id=ub.badge_id,
                        badge_name=badge_name,
                        forum_user_badge_id=ub.user_badge_id,
                        source="forum",
                        status=BadgeGrantStatus.GRANTED,
                        granted_at=now,
                    )
                )
                note = "granted on the forum"
            await uow.audit.record(
                at=now,
                actor=f"forum-user:{ub.granted_by_id}",
                platform=Platform.DISCOURSE,
                action="badge.granted",
                subject_type="person",
                subject_id=person.id,
                after={"badge_id": ub.badge_id, "badge": badge_name, "user_badge_id": ub.user_badge_id},
            )
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
                person = await self._linked_person(uow, username, ub.user_id)
                grant = await uow.forum.open_grant(person.id, ub.badge_id) if person else None
            if grant is None or person is None or grant.status == BadgeGrantStatus.REVOKED:
                return Outcome("ignored", "no such grant on record")
            grant.status, grant.revoked_at = BadgeGrantStatus.REVOKED, now
            await uow.audit.record(
                at=now,
                actor=f"forum-user:{ub.granted_by_id}",
                platform=Platform.DISCOURSE,
                action="badge.revoked",
                subject_type="person",
                subject_id=person.id,
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
        if not group or self._directory is None:
            return Outcome("ignored", "no ambassadors group configured")
        if gu.group_id != await self._directory.group_id(group):
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
            person = await self._linked_person(uow, username, gu.user_id)
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
            await uow.audit.record(
                at=now,
                actor="forum",
                platform=Platform.DISCOURSE,
                action="person.forum_account_created",
                subject_type="person",
                subject_id=person.id,
                after={"forum_username": user.username, "forum_user_id": user.user_id, "application": app.id},
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
            person = await self._linked_person(uow, username, user_id)
            return person.slack_user_id if person else None

    async def answer(self, post: ForumPost, raw: str) -> Outcome:
        """Reply in the post's topic, once per post however often the webhook comes."""
        now = self._clock.now()
        async with self._uow() as uow:
            if not await _first_delivery(uow, f"post_created:{post.post_id}", now):
                return DUPLICATE
            await outbox.queue(
                uow,
                f"forum-reply:{post.post_id}",
                outbox.DISCOURSE_POST,
                {"raw": raw, "topic_id": post.topic_id, "reply_to_post_number": post.post_number},
                now,
            )
        self._signal.kick()
        return Outcome("done", "answered a command")

    async def _tell_moderators(self, uow: UnitOfWork, key: str, text: str, now: datetime) -> None:
        channel = self._settings.slack.moderator_channel
        if channel:
            data: dict[str, Any] = {"text": text}
            await outbox.queue(
                uow,
                f"notice:{key}",
                outbox.SLACK_POST,
                {"channel": channel, "template": "notice", "data": data},
                now,
            )
