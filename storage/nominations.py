"""Nominations: the table of people nominated for the program and its repository
(`NominationRepo`, bound as `uow.nominations`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import String, Text, func, select
from sqlalchemy.orm import Mapped, mapped_column

from storage.enums import NominationStatus
from storage.models import Base, utcnow
from storage.repository import Repository, fresh

OPEN_NOMINATION = (NominationStatus.PENDING, NominationStatus.INVITED)


class Nomination(Base):
    __tablename__ = "nominations"

    id: Mapped[int] = mapped_column(primary_key=True)
    nominee_slack_id: Mapped[str] = mapped_column(String(32), index=True)  # "" for a forum nominee
    # Someone not in Slack, nominated by their forum account (the forum's spelling).
    nominee_forum_username: Mapped[str | None] = mapped_column(String(60), index=True)
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
        return await self._newest(
            Nomination,
            Nomination.nominee_slack_id == nominee_slack_id,
            Nomination.status.in_(OPEN_NOMINATION),
        )

    async def open_for_forum(self, username: str) -> Nomination | None:
        """`open_for` a nominee named by their forum account (usernames are case-insensitive)."""
        return await self._newest(
            Nomination,
            func.lower(Nomination.nominee_forum_username) == username.lower(),
            Nomination.status.in_(OPEN_NOMINATION),
        )

    async def ids_about(self, nominee_slack_id: str) -> list[int]:
        stmt = select(Nomination.id).where(Nomination.nominee_slack_id == nominee_slack_id)
        return [int(i) for i in await self._all(stmt)]

    async def decide(self, nomination_id: int, status: NominationStatus, by: str, at: datetime) -> bool:
        """Move a pending nomination on; False when someone else decided first."""
        decided = {"status": status, "decided_by": by, "decided_at": at}
        return await self._transition(Nomination, nomination_id, NominationStatus.PENDING, **decided)

    async def set_review_message(self, nomination_id: int, channel: str, ts: str) -> None:
        await self._update(Nomination, Nomination.id == nomination_id, review_channel=channel, review_ts=ts)

    async def pending(self, limit: int) -> tuple[Sequence[Nomination], int]:
        """The oldest pending nominations (up to `limit`) and how many are pending in all."""
        order = (Nomination.created_at, Nomination.id)
        return await self._page(
            Nomination, Nomination.status == NominationStatus.PENDING, order, limit, renew=True
        )
