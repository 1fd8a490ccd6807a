"""Badges and forum sync: the tables of badge grants and forum group memberships as the bot knows
them, and their repositories (`BadgeRepo` as `uow.badges`, `ForumRepo` as `uow.forum`: the
lookups the webhooks and the nightly sync make to keep the records in step with the forum)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, mapped_column

from storage.enums import BADGE_HELD, AmbassadorStatus, BadgeGrantStatus, MembershipStatus
from storage.models import Ambassador, Base, Person, utcnow
from storage.repository import Repository


class BadgeGrant(Base):
    __tablename__ = "badge_grants"
    __table_args__ = (Index("ix_badge_grants_person_badge", "person_id", "badge_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    badge_id: Mapped[int] = mapped_column(Integer)
    badge_name: Mapped[str] = mapped_column(String(100), default="")
    forum_user_badge_id: Mapped[int | None] = mapped_column(Integer, unique=True)
    source: Mapped[str] = mapped_column(String(16), default="bot")
    status: Mapped[str] = mapped_column(String(16), default=BadgeGrantStatus.PENDING)
    granted_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class GroupMembership(Base):
    __tablename__ = "group_memberships"
    __table_args__ = (UniqueConstraint("group_name", "forum_username", name="uq_group_member"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_name: Mapped[str] = mapped_column(String(100))
    forum_username: Mapped[str] = mapped_column(String(60))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    status: Mapped[str] = mapped_column(String(16), default=MembershipStatus.MEMBER)
    source: Mapped[str] = mapped_column(String(16), default="bot")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class BadgeRepo(Repository):
    async def add(self, grant: BadgeGrant) -> BadgeGrant:
        return await self._add(grant)

    async def get(self, grant_id: int) -> BadgeGrant | None:
        return await self.s.get(BadgeGrant, grant_id)

    async def for_person(self, person_id: int) -> Sequence[BadgeGrant]:
        stmt = select(BadgeGrant).where(BadgeGrant.person_id == person_id).order_by(BadgeGrant.id)
        return await self._all(stmt)


class ForumRepo(Repository):
    async def person_by_forum_user_id(self, user_id: int) -> Person | None:
        return await self._one(select(Person).where(Person.forum_user_id == user_id))

    async def grant_by_forum_id(self, user_badge_id: int) -> BadgeGrant | None:
        stmt = select(BadgeGrant).where(BadgeGrant.forum_user_badge_id == user_badge_id)
        return await self._one(stmt)

    async def open_grant(self, person_id: int, badge_id: int) -> BadgeGrant | None:
        """The person's current (pending or granted) record of this badge, newest first."""
        return await self._newest(
            BadgeGrant,
            BadgeGrant.person_id == person_id,
            BadgeGrant.badge_id == badge_id,
            BadgeGrant.status.in_(BADGE_HELD),
        )

    async def grants_of_badge(self, badge_id: int) -> Sequence[BadgeGrant]:
        stmt = select(BadgeGrant).where(BadgeGrant.badge_id == badge_id, BadgeGrant.status.in_(BADGE_HELD))
        return await self._all(stmt)

    async def membership(self, group: str, username: str) -> GroupMembership | None:
        stmt = select(GroupMembership).where(
            GroupMembership.group_name == group,
            func.lower(GroupMembership.forum_username) == username.lower(),
        )
        return await self._one(stmt)

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
            row = GroupMembership(group_name=group, forum_username=username, person_id=person_id)
            row.status, row.source, row.updated_at = status, source, at
            return None, await self._add(row)
        before = row.status
        row.status, row.source, row.updated_at = status, source, at
        row.person_id = row.person_id or person_id
        return before, row

    async def members(self, group: str) -> Sequence[GroupMembership]:
        stmt = select(GroupMembership).where(
            GroupMembership.group_name == group, GroupMembership.status == MembershipStatus.MEMBER
        )
        return await self._all(stmt)

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
        return await self._one(stmt)
