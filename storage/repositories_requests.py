"""Repository for requests (hardware, expenses, swag), their approvals and notes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models_requests import (
    OPEN_STATUSES,
    SPENT_STATUSES,
    Request,
    RequestApproval,
    RequestNote,
)


class RequestRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.s = session

    async def add(self, request: Request) -> Request:
        self.s.add(request)
        await self.s.flush()
        return request

    async def get(self, request_id: int) -> Request | None:
        stmt = select(Request).where(Request.id == request_id).execution_options(populate_existing=True)
        return (await self.s.execute(stmt)).scalar_one_or_none()

    async def for_requester(self, slack_user_id: str, limit: int = 20) -> tuple[list[Request], int]:
        """The person's newest requests, and how many they have in all."""
        stmt = (
            select(Request)
            .where(Request.requester_slack_id == slack_user_id)
            .order_by(Request.created_at.desc(), Request.id.desc())
            .limit(limit)
        )
        rows = list((await self.s.execute(stmt)).scalars())
        total = (
            await self.s.execute(
                select(func.count()).select_from(Request).where(Request.requester_slack_id == slack_user_id)
            )
        ).scalar_one()
        return rows, int(total)

    async def open_for(self, slack_user_id: str) -> list[Request]:
        stmt = (
            select(Request)
            .where(Request.requester_slack_id == slack_user_id, Request.status.in_(OPEN_STATUSES))
            .order_by(Request.id)
        )
        return list((await self.s.execute(stmt)).scalars())

    async def open_queue(self, limit: int) -> tuple[list[Request], int]:
        """Open requests, oldest first (what moderators still have to act on)."""
        where = Request.status.in_(OPEN_STATUSES)
        stmt = select(Request).where(where).order_by(Request.created_at, Request.id).limit(limit)
        rows = list((await self.s.execute(stmt)).scalars())
        total = (await self.s.execute(select(func.count()).select_from(Request).where(where))).scalar_one()
        return rows, int(total)

    async def lock(self, request_id: int, statuses: Sequence[str], now: datetime) -> bool:
        """Bump the version of a request in one of `statuses`. The UPDATE takes the row's write
        lock, so two decisions on one request run one after the other; False when the request
        is not (or no longer) in one of those statuses."""
        stmt = (
            update(Request)
            .where(Request.id == request_id, Request.status.in_(tuple(statuses)))
            .values(version=Request.version + 1, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        result = await self.s.execute(stmt)
        return bool(getattr(result, "rowcount", 0) == 1)

    async def move(
        self, request_id: int, from_statuses: Sequence[str], to_status: str, **values: Any
    ) -> bool:
        """Change the status when it is still one of `from_statuses` (a conditional UPDATE)."""
        stmt = (
            update(Request)
            .where(Request.id == request_id, Request.status.in_(tuple(from_statuses)))
            .values(status=to_status, **values)
            .execution_options(synchronize_session=False)
        )
        result = await self.s.execute(stmt)
        return bool(getattr(result, "rowcount", 0) == 1)

    async def add_approval(self, request_id: int, approver: str, at: datetime) -> bool:
        """Record an approval; False when this moderator had already approved."""
        exists = await self.s.execute(
            select(RequestApproval.id).where(
                RequestApproval.request_id == request_id, RequestApproval.approver == approver
            )
        )
        if exists.first() is not None:
            return False
        try:
            async with self.s.begin_nested():
                self.s.add(RequestApproval(request_id=request_id, approver=approver, at=at))
                await self.s.flush()
        except IntegrityError:
            return False
        return True

    async def approvers(self, request_id: int) -> list[str]:
        stmt = (
            select(RequestApproval.approver)
            .where(RequestApproval.request_id == request_id)
            .order_by(RequestApproval.at, RequestApproval.id)
        )
        return [str(a) for a in (await self.s.execute(stmt)).scalars()]

    async def add_note(self, request_id: int, author: str, kind: str, text: str, at: datetime) -> None:
        self.s.add(RequestNote(request_id=request_id, author=author, kind=kind, text=text, at=at))
        await self.s.flush()

    async def notes(self, request_id: int) -> list[RequestNote]:
        stmt = select(RequestNote).where(RequestNote.request_id == request_id).order_by(RequestNote.id)
        return list((await self.s.execute(stmt)).scalars())

    async def set_review_message(self, request_id: int, channel: str, ts: str) -> None:
        await self.s.execute(
            update(Request).where(Request.id == request_id).values(review_channel=channel, review_ts=ts)
        )

    async def spent_since(self, kind: str, currency: str, since: datetime) -> Decimal:
        """Approved amounts of one kind and currency decided since `since` (summed as Decimals:
        SQLite would sum in floating point)."""
        stmt = select(Request.amount).where(
            Request.kind == kind,
            Request.currency == currency,
            Request.status.in_(SPENT_STATUSES),
            Request.decided_at >= since,
            Request.amount.is_not(None),
        )
        return sum((a for a in (await self.s.execute(stmt)).scalars() if a is not None), Decimal(0))
