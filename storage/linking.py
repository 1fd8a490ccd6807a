"""Forum account linking: the table of one-time link codes and its repository (`LinkCodeRepo`,
bound as `uow.link_codes`). Only a hash of each code is stored."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, func, select
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base, utcnow
from storage.repository import Repository


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


class LinkCodeRepo(Repository):
    async def add(self, code: LinkCode) -> LinkCode:
        return await self._add(code)

    async def latest_unused(self, person_id: int) -> LinkCode | None:
        return await self._newest(
            LinkCode, LinkCode.person_id == person_id, LinkCode.used_at.is_(None), renew=True
        )

    async def created_since(self, person_id: int, since: datetime) -> int:
        stmt = select(func.count()).where(LinkCode.person_id == person_id, LinkCode.created_at >= since)
        return await self._count(stmt)

    async def expire_unused(self, person_id: int, now: datetime) -> None:
        """A new code replaces the older ones: they stop working at once."""
        unused = (LinkCode.person_id == person_id, LinkCode.used_at.is_(None), LinkCode.expires_at > now)
        await self._update(LinkCode, *unused, expires_at=now)
