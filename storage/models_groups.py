"""Tables of the user group workflow: requests/groups, their organisers and handover steps."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base, utcnow


class UserGroup(Base):
    """A request for a local user group, and the group itself once approved.

    status: pending (waiting for review) → needs_changes ↔ pending → approved → official;
    or rejected at any point before approval.
    """

    __tablename__ = "user_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))  # normalised: "<Community> <Place> {pet name}"
    # The requester's Slack id while the request is open (pending or needs_changes), NULL
    # afterwards: a unique column, so "one open request per person" holds under concurrency.
    open_requester: Mapped[str | None] = mapped_column(String(32), unique=True)
    requested_name: Mapped[str] = mapped_column(String(200))
    pet_name: Mapped[str] = mapped_column(String(100), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    region: Mapped[str] = mapped_column(String(100), default="")
    country: Mapped[str] = mapped_column(String(100), default="")
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    website: Mapped[str] = mapped_column(String(300), default="")
    links: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    requester_slack_id: Mapped[str] = mapped_column(String(32), index=True)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    revision: Mapped[int] = mapped_column(default=1)  # +1 each time the requester sends changes
    # Screening: [{"code", "reason"}] and ["what is missing", ...]
    flags: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    missing: Mapped[list[str]] = mapped_column(JSON, default=list)
    overlap_group_id: Mapped[int | None] = mapped_column(ForeignKey("user_groups.id"))
    overlap_reason: Mapped[str] = mapped_column(String(200), default="")
    conflict: Mapped[str] = mapped_column(String(16), default="")  # "", "open", "resolved"
    conflict_by: Mapped[str | None] = mapped_column(String(32))
    objected_by: Mapped[str | None] = mapped_column(String(32))
    mentor_slack_id: Mapped[str | None] = mapped_column(String(32), index=True)
    forum_group: Mapped[str] = mapped_column(String(100), default="")
    change_request: Mapped[str] = mapped_column(Text, default="")
    decided_by: Mapped[str | None] = mapped_column(String(32))
    decided_at: Mapped[datetime | None]
    decision_reason: Mapped[str | None] = mapped_column(Text)
    review_channel: Mapped[str | None] = mapped_column(String(32))
    review_ts: Mapped[str | None] = mapped_column(String(32))
    handover_channel: Mapped[str | None] = mapped_column(String(32))
    handover_ts: Mapped[str | None] = mapped_column(String(32))
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    official_at: Mapped[datetime | None]


class GroupOrganiser(Base):
    """A leader of a group: a Slack member, a forum user, or both."""

    __tablename__ = "user_group_organisers"
    __table_args__ = (
        UniqueConstraint("group_id", "slack_user_id", name="uq_group_organiser_slack"),
        UniqueConstraint("group_id", "forum_username", name="uq_group_organiser_forum"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("user_groups.id"), index=True)
    slack_user_id: Mapped[str | None] = mapped_column(String(32))
    forum_username: Mapped[str | None] = mapped_column(String(60))
    added_by: Mapped[str] = mapped_column(String(32))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)


class GroupHandoverStep(Base):
    __tablename__ = "user_group_steps"
    __table_args__ = (UniqueConstraint("group_id", "key", name="uq_group_step"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("user_groups.id"), index=True)
    key: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(default=0)
    completes: Mapped[str] = mapped_column(String(120))  # comma-separated roles
    needs: Mapped[str] = mapped_column(String(16), default="")
    value: Mapped[str | None] = mapped_column(Text)
    completed_at: Mapped[datetime | None]
    completed_by: Mapped[str | None] = mapped_column(String(32))
