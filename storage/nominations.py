"""Nominations: the table of people nominated for the program and its repository
(`NominationRepo`, bound as `uow.nominations`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import String, Text, select, update
from sqlalchemy.orm import Mapped, mapped_column

from storage.enums import NominationStatus
from storage.models import Base, utcnow
from storage.repository import Repository, fresh

OPEN_NOMINATION = (NominationStatus.PENDING, NominationStatus.INVITED)


class Nomination(Base):
    __tablename__ = "nominations"

    id: Mapped[int] = mapped_column(primary_key=True)
    nominee_slack_id: Mapped[str] = mapped_column(String(32), index=True)
    nominator_slack_id: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default=NominationStatus.PENDING, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by: Mapped[str | None] = mapped_column(String(32))
    decided_at: Mapped[datetime | None]
    review_channel: Mapped[str | None] = mapped_column(String(32))
    review_ts: Mapped[str | None] = mapped_column(String(32))


class NominationRepo(Repository):
    async def add(self, nomination: Nomination) -> Nomination:
        return await self._add(nomination)

    async def get(self, nomination_id: int) -> Nomination | None:
        return await self._one(fresh(select(Nomination).where(Nomination.id == nomination_id)))

    async def open_for(self, nominee_slack_id: str) -> Nomination | None:
        """The nominee's nomination still waiting for moderators, or invited and not yet used."""
        stmt = (
            select(Nomination)
            .where(Nomination.nominee_slack_id == nominee_slack_id, Nomination.status.in_(OPEN_NOMINATION))
            .order_by(Nomination.id.desc())
            .limit(1)
        )
        return await self._first(stmt)

    async def ids_about(self, nominee_slack_id: str) -> list[int]:
        stmt = select(Nomination.id).where(Nomination.nominee_slack_id == nominee_slack_id)
        return [int(i) for i in await self._all(stmt)]

    async def decide(self, nomination_id: int, status: NominationStatus, by: str, at: datetime) -> bool:
        """Move a pending nomination on; False when someone else decided first."""
        stmt = (
            update(Nomination)
            .where(Nomination.id == nomination_id, Nomination.status == NominationStatus.PENDING)
            .values(status=status, decided_by=by, decided_at=at)
            .execution_options(synchronize_session=False)
        )
        return await self._rowcount(stmt) == 1

    async def set_review_message(self, nomination_id: int, channel: str, ts: str) -> None:
        await self.s.execute(
            update(Nomination)
            .where(Nomination.id == nomination_id)
            .values(review_channel=channel, review_ts=ts)
            .execution_options(synchronize_session=False)
        )

    async def pending(self, limit: int) -> tuple[Sequence[Nomination], int]:
        """The oldest pending nominations (up to `limit`) and how many are pending in all."""
        order = (Nomination.created_at, Nomination.id)
        return await self._page(
            Nomination, Nomination.status == NominationStatus.PENDING, order, limit, renew=True
        )
