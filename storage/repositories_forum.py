"""Repositories for the forum side: badge grants and group memberships as the bot knows them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.enums import BADGE_HELD, AmbassadorStatus, MembershipStatus
from storage.models import Ambassador, BadgeGrant, GroupMembership, Person


class ForumRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.s = session

    async def person_by_forum_user_id(self, user_id: int) -> Person | None:
        return (
            await self.s.execute(select(Person).where(Person.forum_user_id == user_id))
        ).scalar_one_or_none()

    async def grant_by_forum_id(self, user_badge_id: int) -> BadgeGrant | None:
        stmt = select(BadgeGrant).where(BadgeGrant.forum_user_badge_id == user_badge_id)
        return (await self.s.execute(stmt)).scalar_one_or_none()

    async def open_grant(self, person_id: int, badge_id: int) -> BadgeGrant | None:
        """The person's current (pending or granted) record of this badge, newest first."""
        stmt = (
            select(BadgeGrant)
            .where(
                BadgeGrant.person_id == person_id,
                BadgeGrant.badge_id == badge_id,
                BadgeGrant.status.in_(BADGE_HELD),
            )
            .order_by(BadgeGrant.id.desc())
            .limit(1)
        )
        return (await self.s.execute(stmt)).scalars().first()

    async def grants_of_badge(self, badge_id: int) -> Sequence[BadgeGrant]:
        stmt = select(BadgeGrant).where(BadgeGrant.badge_id == badge_id, BadgeGrant.status.in_(BADGE_HELD))
        return (await self.s.execute(stmt)).scalars().all()

    async def membership(self, group: str, username: str) -> GroupMembership | None:
        stmt = select(GroupMembership).where(
            GroupMembership.group_name == group,
            func.lower(GroupMembership.forum_username) == username.lower(),
        )
        return (await self.s.execute(stmt)).scalar_one_or_none()

    async def set_membership(
        self,
        group: str,
        username: str,
        person_id: int | None,
        status: MembershipStatus,
        source: str,
        at: datetime,
    ) -> tuple[str | None, GroupMembership]:
        """Upsert; returns (previous status or None, row)."""
        row = await self.membership(group, username)
        if row is None:
            row = GroupMembership(
                group_name=group,
                forum_username=username,
                person_id=person_id,
                status=status,
                source=source,
                updated_at=at,
            )
            self.s.add(row)
            await self.s.flush()
            return None, row
        before = row.status
        row.status, row.source, row.updated_at = status, source, at
        row.person_id = row.person_id or person_id
        return before, row

    async def members(self, group: str) -> Sequence[GroupMembership]:
        stmt = select(GroupMembership).where(
            GroupMembership.group_name == group, GroupMembership.status == MembershipStatus.MEMBER
        )
        return (await self.s.execute(stmt)).scalars().all()

    async def active_ambassadors_with_forum(self) -> Sequence[tuple[Ambassador, Person]]:
        stmt = (
            select(Ambassador, Person)
            .join(Person, Person.id == Ambassador.person_id)
            .where(Ambassador.status == AmbassadorStatus.ACTIVE, Person.forum_username.is_not(None))
            .order_by(Person.forum_username)
        )
        return [(row[0], row[1]) for row in (await self.s.execute(stmt)).all()]

    async def people_by_forum_usernames(self, usernames: set[str]) -> dict[str, Person]:
        if not usernames:
            return {}
        lowered = {u.lower() for u in usernames}
        stmt = select(Person).where(func.lower(Person.forum_username).in_(lowered))
        return {str(p.forum_username).lower(): p for p in (await self.s.execute(stmt)).scalars()}

    async def ambassador_status(self, person_id: int) -> str | None:
        stmt = select(Ambassador.status).where(Ambassador.person_id == person_id)
        return (await self.s.execute(stmt)).scalar_one_or_none()
