"""Requests (hardware, expense claims, swag): the request, its approvals and its conversation."""

from __future__ import annotations

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
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.types import TypeEngine

from storage.models import Base, Person, utcnow

REFERENCE_PREFIX = {"hardware": "HW", "expense": "EX", "swag": "SW"}
OPEN_STATUSES = ("pending", "info_requested", "approved")
CLOSED_STATUSES = ("rejected", "shipped", "reimbursed")
SPENT_STATUSES = ("approved", "shipped", "reimbursed")

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
    status: Mapped[str] = mapped_column(String(24), default="pending", index=True)
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
