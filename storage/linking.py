"""Linking a Slack person to their forum account: the table of one-time link codes and its
repository (`LinkCodeRepo`, bound as `uow.link_codes`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    ForeignKey,
    String,
    func,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base, utcnow


class LinkCode(Base):
    __tablename__ = "link_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    forum_username: Mapped[str] = mapped_column(String(60))
    code_hash: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(default=0)
    used_at: Mapped[datetime | None]


class LinkCodeRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.s = session

    async def add(self, code: LinkCode) -> LinkCode:
        self.s.add(code)
        await self.s.flush()
        return code

    async def latest_unused(self, person_id: int) -> LinkCode | None:
        stmt = (
            select(LinkCode)
            .where(LinkCode.person_id == person_id, LinkCode.used_at.is_(None))
            .order_by(LinkCode.id.desc())
            .limit(1)
            .execution_options(populate_existing=True)
        )
        return (await self.s.execute(stmt)).scalars().first()

    async def created_since(self, person_id: int, since: datetime) -> int:
        stmt = select(func.count()).where(LinkCode.person_id == person_id, LinkCode.created_at >= since)
        return int((await self.s.execute(stmt)).scalar_one())

    async def expire_unused(self, person_id: int, now: datetime) -> None:
        """A new code replaces the older ones: they stop working at once."""
        await self.s.execute(
            update(LinkCode)
            .where(LinkCode.person_id == person_id, LinkCode.used_at.is_(None), LinkCode.expires_at > now)
            .values(expires_at=now)
            .execution_options(synchronize_session=False)
        )
