"""Requests (hardware, expense claims, swag): the tables of the request, its approvals and its
conversation, and their repository (`RequestRepo`, bound as `uow.requests`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    select,
    update,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.types import TypeEngine

from storage.enums import RequestStatus
from storage.models import Base, Person, utcnow
from storage.repository import Repository, fresh

REFERENCE_PREFIX = {"hardware": "HW", "expense": "EX", "swag": "SW"}
OPEN_STATUSES = (RequestStatus.PENDING, RequestStatus.INFO_REQUESTED, RequestStatus.APPROVED)
CLOSED_STATUSES = (RequestStatus.REJECTED, RequestStatus.SHIPPED, RequestStatus.REIMBURSED)
SPENT_STATUSES = (RequestStatus.APPROVED, RequestStatus.SHIPPED, RequestStatus.REIMBURSED)

_SCALE = Decimal("0.0001")


class Money(TypeDecorator[Decimal]):
    """Numeric(18, 4) that always hands back a Decimal at scale 4, on every engine.

    SQLite has no decimal type: the value is bound as text (never a float) and, since the column
    has NUMERIC affinity, read back as a number of at most 14 significant digits, which a double
    holds exactly; quantizing restores the very Decimal that was stored.
    """

    impl = Numeric(18, 4)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(32))
        return dialect.type_descriptor(Numeric(18, 4, asdecimal=True))

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if not isinstance(value, Decimal):
            raise TypeError("money must be a Decimal")
        q = value.quantize(_SCALE)
        return format(q, "f") if dialect.name == "sqlite" else q

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return Decimal(str(value)).quantize(_SCALE)


class Request(Base):
    __tablename__ = "requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)  # hardware | expense | swag
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    requester_slack_id: Mapped[str] = mapped_column(String(32), index=True)
    status: Mapped[str] = mapped_column(String(24), default=RequestStatus.PENDING, index=True)
    summary: Mapped[str] = mapped_column(String(200), default="")
    # The kind's own answers (items, purpose, links, address, ...), as cleaned strings.
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    amount: Mapped[Decimal | None] = mapped_column(Money)
    currency: Mapped[str | None] = mapped_column(String(3))
    # The date that matters for the kind: when hardware is needed, when the expense was made.
    on_date: Mapped[date | None] = mapped_column(Date)
    approvals_needed: Mapped[int] = mapped_column(Integer, default=1)
    # Bumped by every change, so a concurrent decision is noticed and serialised.
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[str | None] = mapped_column(String(32))
    closed_at: Mapped[datetime | None]
    closed_by: Mapped[str | None] = mapped_column(String(32))
    review_channel: Mapped[str | None] = mapped_column(String(32))
    review_ts: Mapped[str | None] = mapped_column(String(32))

    person: Mapped[Person] = relationship(lazy="joined")

    @property
    def reference(self) -> str:
        return f"{REFERENCE_PREFIX.get(self.kind, 'RQ')}-{self.id:04d}"


class RequestApproval(Base):
    __tablename__ = "request_approvals"
    __table_args__ = (UniqueConstraint("request_id", "approver", name="uq_request_approval"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id"), index=True)
    approver: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class RequestNote(Base):
    """A question from a moderator, the requester's answer, or a rejection reason."""

    __tablename__ = "request_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    author: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))  # question | answer | reason | note
    text: Mapped[str] = mapped_column(Text)


class RequestRepo(Repository):
    async def add(self, request: Request) -> Request:
        return await self._add(request)

    async def get(self, request_id: int) -> Request | None:
        return await self._one(fresh(select(Request).where(Request.id == request_id)))

    async def for_requester(self, slack_user_id: str, limit: int = 20) -> tuple[list[Request], int]:
        """The person's newest requests, and how many they have in all."""
        order = (Request.created_at.desc(), Request.id.desc())
        rows, total = await self._page(Request, Request.requester_slack_id == slack_user_id, order, limit)
        return list(rows), total

    async def open_for(self, slack_user_id: str) -> list[Request]:
        stmt = (
            select(Request)
            .where(Request.requester_slack_id == slack_user_id, Request.status.in_(OPEN_STATUSES))
            .order_by(Request.id)
        )
        return list(await self._all(stmt))

    async def open_queue(self, limit: int) -> tuple[list[Request], int]:
        """Open requests, oldest first (what moderators still have to act on)."""
        order = (Request.created_at, Request.id)
        rows, total = await self._page(Request, Request.status.in_(OPEN_STATUSES), order, limit)
        return list(rows), total

    async def lock(self, request_id: int, statuses: Sequence[str], now: datetime) -> bool:
        """Bump the version of a request in one of `statuses`. The UPDATE takes the row's write
        lock, so two decisions on one request run one after the other; False when the request
        is not (or no longer) in one of those statuses."""
        return await self._transition(
            Request, request_id, statuses, version=Request.version + 1, updated_at=now
        )

    async def move(
        self, request_id: int, from_statuses: Sequence[str], to_status: str, **values: Any
    ) -> bool:
        """Change the status when it is still one of `from_statuses` (a conditional UPDATE)."""
        return await self._transition(Request, request_id, from_statuses, status=to_status, **values)

    async def add_approval(self, request_id: int, approver: str, at: datetime) -> bool:
        """Record an approval; False when this moderator had already approved."""
        exists = await self.s.execute(
            select(RequestApproval.id).where(
                RequestApproval.request_id == request_id, RequestApproval.approver == approver
            )
        )
        if exists.first() is not None:
            return False
        return await self._add_once(RequestApproval(request_id=request_id, approver=approver, at=at))

    async def approvers(self, request_id: int) -> list[str]:
        stmt = (
            select(RequestApproval.approver)
            .where(RequestApproval.request_id == request_id)
            .order_by(RequestApproval.at, RequestApproval.id)
        )
        return [str(a) for a in (await self.s.execute(stmt)).scalars()]

    async def add_note(self, request_id: int, author: str, kind: str, text: str, at: datetime) -> None:
        await self._add(RequestNote(request_id=request_id, author=author, kind=kind, text=text, at=at))

    async def notes(self, request_id: int) -> list[RequestNote]:
        stmt = select(RequestNote).where(RequestNote.request_id == request_id).order_by(RequestNote.id)
        return list(await self._all(stmt))

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
