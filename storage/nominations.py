"""Nominations: the table of ambassador nominations and its repository (`NominationRepo`, bound
as `uow.nominations`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import (
    String,
    Text,
    func,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base, utcnow

OPEN_NOMINATION = ("pending", "invited")


class Nomination(Base):
    __tablename__ = "nominations"

    id: Mapped[int] = mapped_column(primary_key=True)
    nominee_slack_id: Mapped[str] = mapped_column(String(32), index=True)
    nominator_slack_id: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by: Mapped[str | None] = mapped_column(String(32))
    decided_at: Mapped[datetime | None]
    review_channel: Mapped[str | None] = mapped_column(String(32))
    review_ts: Mapped[str | None] = mapped_column(String(32))


class NominationRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.s = session

    async def add(self, nomination: Nomination) -> Nomination:
        self.s.add(nomination)
        await self.s.flush()
        return nomination

    async def get(self, nomination_id: int) -> Nomination | None:
        stmt = (
            select(Nomination).where(Nomination.id == nomination_id).execution_options(populate_existing=True)
        )
        return (await self.s.execute(stmt)).scalar_one_or_none()

    async def open_for(self, nominee_slack_id: str) -> Nomination | None:
        """The nominee's nomination still waiting for moderators, or invited and not yet used."""
        stmt = (
            select(Nomination)
            .where(Nomination.nominee_slack_id == nominee_slack_id, Nomination.status.in_(OPEN_NOMINATION))
            .order_by(Nomination.id.desc())
            .limit(1)
        )
        return (await self.s.execute(stmt)).scalars().first()

    async def ids_about(self, nominee_slack_id: str) -> list[int]:
        stmt = select(Nomination.id).where(Nomination.nominee_slack_id == nominee_slack_id)
        return [int(i) for i in (await self.s.execute(stmt)).scalars().all()]

    async def decide(self, nomination_id: int, status: str, by: str, at: datetime) -> bool:
        """Move a pending nomination on; False when someone else decided first."""
        stmt = (
            update(Nomination)
            .where(Nomination.id == nomination_id, Nomination.status == "pending")
            .values(status=status, decided_by=by, decided_at=at)
            .execution_options(synchronize_session=False)
        )
        result = await self.s.execute(stmt)
        return bool(getattr(result, "rowcount", 0) == 1)

    async def set_review_message(self, nomination_id: int, channel: str, ts: str) -> None:
        await self.s.execute(
            update(Nomination)
            .where(Nomination.id == nomination_id)
            .values(review_channel=channel, review_ts=ts)
            .execution_options(synchronize_session=False)
        )

    async def pending(self, limit: int) -> tuple[Sequence[Nomination], int]:
        """The oldest pending nominations (up to `limit`) and how many are pending in all."""
        stmt = (
            select(Nomination)
            .where(Nomination.status == "pending")
            .order_by(Nomination.created_at, Nomination.id)
            .limit(limit)
            .execution_options(populate_existing=True)
        )
        rows = (await self.s.execute(stmt)).scalars().all()
        total = (
            await self.s.execute(select(func.count()).where(Nomination.status == "pending"))
        ).scalar_one()
        return rows, int(total)
