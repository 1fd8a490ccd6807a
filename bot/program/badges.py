"""Moderators grant and revoke forum badges from Slack."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from bot.config import Settings
from bot.program import outbox
from bot.program.errors import Conflict, InvalidInput, NotFound
from bot.program.permissions import Guard, Permission, Subject
from bot.program.ports import Clock, NoSignal, OutboxSignal
from bot.program.roles import Roles
from storage.enums import Platform
from storage.forum import BadgeGrant
from storage.models import Person
from storage.uow import UnitOfWork


@dataclass(frozen=True)
class Badge:
    id: int
    name: str
    enabled: bool = True


class BadgeCatalog(Protocol):
    """The forum's badges (from /admin/badges.json), cached by the implementation."""

    async def all_badges(self) -> list[Badge]: ...


@dataclass(frozen=True)
class BadgeChange:
    badge: Badge
    forum_username: str
    action: str  # "grant" or "revoke"


class BadgeService:
    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        settings: Settings,
        roles: Roles,
        catalog: BadgeCatalog | None,
        clock: Clock,
        signal: OutboxSignal | None = None,
        guard: Guard | None = None,
    ) -> None:
        self._uow = uow
        self._settings = settings
        self._roles = roles
        self._catalog = catalog
        self._clock = clock
        self._guard = guard or Guard(uow, roles, clock)
        self._signal = signal or NoSignal()

    async def find_badge(self, ref: str) -> Badge:
        if self._catalog is None:
            raise Conflict("No forum is configured ([discourse] url), so there are no badges to grant.")
        ref = ref.strip().strip('"“”')
        badges = await self._catalog.all_badges()
        if ref.isdigit():
            match = [b for b in badges if b.id == int(ref)]
        else:
            match = [b for b in badges if b.name.lower() == ref.lower()]
        if not match:
            known = ", ".join(sorted(b.name for b in badges if b.enabled)[:15])
            raise NotFound(f"The forum has no badge {ref!r}. Badges: {known}.")
        if not match[0].enabled:
            raise Conflict(f"The badge “{match[0].name}” is disabled on the forum.")
        return match[0]

    def _check_reason(self, reason: str | None) -> str | None:
        if not reason:
            return None
        base = re.escape(self._settings.discourse.url)
        # Discourse only accepts a reason that links to a post or topic of the same forum.
        if not re.fullmatch(rf"{base}/(t|p)/\S+", reason.strip()):
            raise InvalidInput(
                f"The reason must be a link to a post or topic on {self._settings.discourse.url} "
                f"(like {self._settings.discourse.url}/t/some-topic/123)."
            )
        return reason.strip()

    async def _target(self, uow: UnitOfWork, moderator: str, slack_user: str, action: str) -> Person:
        permission = Permission.BADGE_GRANT if action == "grant" else Permission.BADGE_REVOKE
        await self._guard.require(moderator, permission, Subject(slack_user))
        person = await uow.people.by_slack_id(slack_user)
        if person is None or not person.forum_username or person.forum_linked_at is None:
            raise NotFound(
                f"<@{slack_user}> has no linked forum account yet (they can link it with "
                "`/ambassador link <forum-username>`, or a moderator with `/ambassador link @user <name>`)."
            )
        return person

    async def grant(self, moderator: str, slack_user: str, badge_ref: str, reason: str | None) -> BadgeChange:
        reason = self._check_reason(reason)
        badge = await self.find_badge(badge_ref)
        now = self._clock.now()
        async with self._uow() as uow:
            person = await self._target(uow, moderator, slack_user, "grant")
            if await uow.forum.open_grant(person.id, badge.id) is not None:
                raise Conflict(f"{person.forum_username} already has “{badge.name}” (or it is on its way).")
            grant = await uow.badges.add(
                BadgeGrant(person_id=person.id, badge_id=badge.id, badge_name=badge.name, source="bot")
            )
            payload: dict[str, object] = {
                "username": person.forum_username,
                "badge_id": badge.id,
                "grant_id": grant.id,
            }
            if reason:
                payload["reason"] = reason
            await outbox.queue(uow, f"badge:{grant.id}:grant", outbox.DISCOURSE_GRANT_BADGE, payload, now)
            await uow.audit.record(
                at=now,
                actor=moderator,
                platform=Platform.SLACK,
                action="badge.grant_requested",
                subject_type="person",
                subject_id=person.id,
                after={"badge_id": badge.id, "badge": badge.name, "reason": reason},
            )
            username = str(person.forum_username)
        self._signal.kick()
        return BadgeChange(badge, username, "grant")

    async def revoke(self, moderator: str, slack_user: str, badge_ref: str) -> BadgeChange:
        badge = await self.find_badge(badge_ref)
        now = self._clock.now()
        async with self._uow() as uow:
            person = await self._target(uow, moderator, slack_user, "revoke")
            grant = await uow.forum.open_grant(person.id, badge.id)
            if grant is None:
                raise Conflict(
                    f"{person.forum_username} has no “{badge.name}” on record. If the forum disagrees, "
                    "`ambassador-bot sync discourse` brings the records in line."
                )
            await outbox.queue(
                uow,
                f"badge:{grant.id}:revoke",
                outbox.DISCOURSE_REVOKE_BADGE,
                {"username": person.forum_username, "badge_id": badge.id, "grant_id": grant.id},
                now,
            )
            await uow.audit.record(
                at=now,
                actor=moderator,
                platform=Platform.SLACK,
                action="badge.revoke_requested",
                subject_type="person",
                subject_id=person.id,
                before={"badge_id": badge.id, "status": grant.status},
            )
            username = str(person.forum_username)
        self._signal.kick()
        return BadgeChange(badge, username, "revoke")
