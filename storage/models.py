"""The shared schema: the declarative Base, the column types every table uses, and the core tables
every feature reads (people, applications, ambassadors, onboarding steps, outbox, processed
deliveries, audit log; their queries are in storage/repositories.py). A feature's own tables sit
next to its repository in `storage/<feature>.py` (nominations, profiles, linking, forum, events,
groups, requests); changes go through Alembic migrations only.
"""

from __future__ import annotations

import importlib
import pkgutil
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from storage.enums import (
    AmbassadorStatus,
    ApplicationStatus,
    OutboxStatus,
)


def import_all_models() -> None:
    """Import every module of the storage package, so `Base.metadata` holds every table (the feature
    modules define theirs next to their repository)."""
    import storage

    for info in pkgutil.iter_modules(storage.__path__):
        if not info.ispkg:
            importlib.import_module(f"storage.{info.name}")


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores UTC, always hands back timezone-aware datetimes (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use timezone-aware values")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime, dict[str, Any]: JSON}


class Person(Base):
    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    slack_user_id: Mapped[str | None] = mapped_column(String(32), unique=True)
    forum_username: Mapped[str | None] = mapped_column(String(60), unique=True)
    forum_user_id: Mapped[int | None] = mapped_column(Integer, unique=True)
    # When the forum account was proven (one-time code) or set by a moderator; until then forum
    # events about that account are not attributed to this person.
    forum_linked_at: Mapped[datetime | None]
    display_name: Mapped[str] = mapped_column(String(200), default="")
    timezone: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Application(Base):
    __tablename__ = "applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16), default="new")
    status: Mapped[str] = mapped_column(String(16), default=ApplicationStatus.PENDING, index=True)
    # Equals person_id while the application is pending, NULL afterwards: a unique column that
    # makes "one open application per person" hold even under concurrent submissions.
    pending_person_id: Mapped[int | None] = mapped_column(Integer, unique=True)
    name: Mapped[str] = mapped_column(String(200))
    forum_username: Mapped[str] = mapped_column(String(60))
    location: Mapped[str] = mapped_column(String(200), default="")
    timezone: Mapped[str] = mapped_column(String(64), default="")
    expertise: Mapped[str] = mapped_column(Text, default="")
    links: Mapped[str] = mapped_column(Text, default="")
    motivation: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[str | None] = mapped_column(String(32))
    decision_reason: Mapped[str | None] = mapped_column(Text)
    review_channel: Mapped[str | None] = mapped_column(String(32))
    review_ts: Mapped[str | None] = mapped_column(String(32))

    person: Mapped[Person] = relationship(lazy="joined")


class Ambassador(Base):
    __tablename__ = "ambassadors"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), unique=True)
    status: Mapped[str] = mapped_column(String(16), default=AmbassadorStatus.ACTIVE, index=True)
    term_start: Mapped[datetime]
    term_end: Mapped[datetime] = mapped_column(index=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    person: Mapped[Person] = relationship(lazy="joined")


class OnboardingStep(Base):
    __tablename__ = "onboarding_steps"
    __table_args__ = (UniqueConstraint("ambassador_id", "key", name="uq_onboarding_step"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ambassador_id: Mapped[int] = mapped_column(ForeignKey("ambassadors.id"), index=True)
    key: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(default=0)
    completes: Mapped[str] = mapped_column(String(16), default="moderator")
    completed_at: Mapped[datetime | None]
    completed_by: Mapped[str | None] = mapped_column(String(64))


class OutboxMessage(Base):
    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    locked_until: Mapped[datetime | None]
    locked_by: Mapped[str | None] = mapped_column(String(64))
    last_error: Mapped[str | None] = mapped_column(Text)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None]


class ProcessedEvent(Base):
    __tablename__ = "processed_events"
    __table_args__ = (UniqueConstraint("source", "key", name="uq_processed_event"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(200))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(64))
    platform: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(64), index=True)
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[str] = mapped_column(String(64), index=True)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
