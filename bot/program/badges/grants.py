"""Moderators grant and revoke forum badges from Slack."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

from bot.program import outbox
from bot.program.badges.records import audit_person, grant_by_bot, queue_badge_change
from bot.program.errors import Conflict, InvalidInput, NotFound
from bot.program.permissions import GuardedService, Permission, ServiceDeps, Subject
from storage.enums import Platform
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


class BadgeService(GuardedService):
    """Badge grants and revocations asked for in Slack (by moderators: `Permission.BADGE_GRANT`,
    `BADGE_REVOKE`), queued for the forum."""

    def __init__(self, deps: ServiceDeps, catalog: BadgeCatalog | None = None) -> None:
        super().__init__(deps)
        self._catalog = catalog

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
            extra = {"reason": reason} if reason else {}
            await grant_by_bot(
                uow,
                lambda grant: f"badge:{grant.id}:grant",
                person.id,
                person.forum_username,
                badge.id,
                badge.name,
                now,
                **extra,
            )
            after = {"badge_id": badge.id, "badge": badge.name, "reason": reason}
            await audit_person(
                uow, now, moderator, Platform.SLACK, "badge.grant_requested", person.id, after=after
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
            await queue_badge_change(
                uow,
                f"badge:{grant.id}:revoke",
                outbox.DISCOURSE_REVOKE_BADGE,
                person.forum_username,
                badge.id,
                grant.id,
                now,
            )
            before = {"badge_id": badge.id, "status": grant.status}
            await audit_person(
                uow, now, moderator, Platform.SLACK, "badge.revoke_requested", person.id, before
            )
            username = str(person.forum_username)
        self._signal.kick()
        return BadgeChange(badge, username, "revoke")
