"""User groups: the tables of the user group workflow (requests/groups, their organisers and handover
steps) and their repository (`GroupRepo`, bound as `uow.groups`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, String, Text, UniqueConstraint, func, or_, select
from sqlalchemy.orm import Mapped, mapped_column

from storage.enums import AmbassadorStatus, UserGroupStatus
from storage.models import Ambassador, Application, Base, Person, utcnow
from storage.profiles import Profile
from storage.repository import Repository, fresh


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
    status: Mapped[str] = mapped_column(String(16), default=UserGroupStatus.PENDING, index=True)
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


LIVE = (
    UserGroupStatus.PENDING,
    UserGroupStatus.NEEDS_CHANGES,
    UserGroupStatus.APPROVED,
    UserGroupStatus.OFFICIAL,
)
OPEN = (UserGroupStatus.PENDING, UserGroupStatus.NEEDS_CHANGES)
MENTORED = (UserGroupStatus.APPROVED, UserGroupStatus.OFFICIAL)


@dataclass(frozen=True)
class MentorCandidate:
    slack_user_id: str
    name: str
    city: str
    country: str
    location: str  # from the application, when the profile names no place


class GroupRepo(Repository):
    async def add(self, group: UserGroup) -> UserGroup:
        return await self._add(group)

    async def get(self, group_id: int) -> UserGroup | None:
        return await self._one(fresh(select(UserGroup).where(UserGroup.id == group_id)))

    async def lock(self, group_id: int) -> None:
        """Hold the group's row until the commit, so checks about it are made one at a time (on
        SQLite the writers are serialised already)."""
        await self.s.execute(select(UserGroup.id).where(UserGroup.id == group_id).with_for_update())

    async def with_status(self, statuses: Iterable[str]) -> Sequence[UserGroup]:
        stmt = select(UserGroup).where(UserGroup.status.in_(tuple(statuses))).order_by(UserGroup.title)
        return await self._all(stmt)

    async def all(self) -> Sequence[UserGroup]:
        return await self._all(select(UserGroup).order_by(UserGroup.id))

    async def open_request_of(self, slack_user_id: str) -> UserGroup | None:
        return await self._newest(
            UserGroup, UserGroup.requester_slack_id == slack_user_id, UserGroup.status.in_(OPEN)
        )

    async def of_person(self, slack_user_id: str) -> Sequence[UserGroup]:
        """Groups the person requested or organises, newest first."""
        organised = select(GroupOrganiser.group_id).where(GroupOrganiser.slack_user_id == slack_user_id)
        stmt = (
            select(UserGroup)
            .where(or_(UserGroup.requester_slack_id == slack_user_id, UserGroup.id.in_(organised)))
            .order_by(UserGroup.id.desc())
        )
        return await self._all(stmt)

    async def move(self, group_id: int, from_statuses: Iterable[str], **values: Any) -> bool:
        """A conditional UPDATE: of two reviewers acting at once, exactly one moves the group."""
        return await self._transition(UserGroup, group_id, from_statuses, **values)

    async def set_conflict(self, group_id: int, expected: str, new: str, by: str, at: datetime) -> bool:
        pending = (UserGroup.conflict == expected, UserGroup.status == UserGroupStatus.PENDING)
        changed = {"conflict": new, "conflict_by": by, "updated_at": at}
        return await self._update_one(UserGroup, UserGroup.id == group_id, *pending, **changed)

    async def set_message(self, group_id: int, slot: str, channel: str, ts: str) -> None:
        values = (
            {"handover_channel": channel, "handover_ts": ts}
            if slot == "handover"
            else {"review_channel": channel, "review_ts": ts}
        )
        await self._update(UserGroup, UserGroup.id == group_id, **values)

    # -- organisers ------------------------------------------------------------------------

    async def organisers(self, group_id: int) -> Sequence[GroupOrganiser]:
        stmt = select(GroupOrganiser).where(GroupOrganiser.group_id == group_id).order_by(GroupOrganiser.id)
        return await self._all(stmt)

    async def organisers_of(self, group_ids: Iterable[int]) -> dict[int, list[GroupOrganiser]]:
        ids = tuple(group_ids)
        out: dict[int, list[GroupOrganiser]] = {i: [] for i in ids}
        if not ids:
            return out
        stmt = select(GroupOrganiser).where(GroupOrganiser.group_id.in_(ids)).order_by(GroupOrganiser.id)
        for org in (await self.s.execute(stmt)).scalars():
            out[org.group_id].append(org)
        return out

    async def add_organiser(self, organiser: GroupOrganiser) -> GroupOrganiser:
        return await self._add(organiser)

    # -- handover --------------------------------------------------------------------------

    async def steps(self, group_id: int) -> Sequence[GroupHandoverStep]:
        stmt = (
            select(GroupHandoverStep)
            .where(GroupHandoverStep.group_id == group_id)
            .order_by(GroupHandoverStep.position, GroupHandoverStep.id)
            .execution_options(populate_existing=True)
        )
        return await self._all(stmt)

    async def add_step(self, step: GroupHandoverStep) -> None:
        await self._add(step)

    async def complete_step(self, group_id: int, key: str, by: str, at: datetime, value: str | None) -> bool:
        """Tick a step once: False when it was already ticked (a double click, a second person)."""
        step = (GroupHandoverStep.group_id == group_id, GroupHandoverStep.key == key)
        ticked = {"completed_at": at, "completed_by": by, "value": value}
        return await self._update_one(
            GroupHandoverStep, *step, GroupHandoverStep.completed_at.is_(None), **ticked
        )

    async def step_counts(self, group_ids: Iterable[int]) -> dict[int, tuple[int, int]]:
        """group id -> (steps done, steps)."""
        ids = tuple(group_ids)
        if not ids:
            return {}
        stmt = (
            select(
                GroupHandoverStep.group_id,
                func.count(GroupHandoverStep.completed_at),
                func.count(GroupHandoverStep.id),
            )
            .where(GroupHandoverStep.group_id.in_(ids))
            .group_by(GroupHandoverStep.group_id)
        )
        return {int(g): (int(done), int(total)) for g, done, total in (await self.s.execute(stmt)).all()}

    # -- mentors ---------------------------------------------------------------------------

    async def mentor_candidates(self) -> list[MentorCandidate]:
        """Active ambassadors on Slack, with where they are (profile, else application)."""
        stmt = (
            select(Person, Profile, Application.location)
            .join(Ambassador, Ambassador.person_id == Person.id)
            .outerjoin(Profile, Profile.person_id == Person.id)
            .outerjoin(Application, Application.id == Ambassador.application_id)
            .where(Ambassador.status == AmbassadorStatus.ACTIVE, Person.slack_user_id.is_not(None))
            .order_by(Person.display_name, Person.id)
        )
        out: list[MentorCandidate] = []
        for person, profile, location in (await self.s.execute(stmt)).all():
            out.append(
                MentorCandidate(
                    slack_user_id=str(person.slack_user_id),
                    name=person.display_name or str(person.slack_user_id),
                    city=profile.city if profile else "",
                    country=profile.country if profile else "",
                    location=str(location or ""),
                )
            )
        return out

    async def mentor_loads(self) -> dict[str, int]:
        stmt = (
            select(UserGroup.mentor_slack_id, func.count(UserGroup.id))
            .where(UserGroup.status.in_(MENTORED), UserGroup.mentor_slack_id.is_not(None))
            .group_by(UserGroup.mentor_slack_id)
        )
        return {str(m): int(n) for m, n in (await self.s.execute(stmt)).all()}

    async def is_active_ambassador(self, slack_user_id: str) -> bool:
        stmt = (
            select(func.count(Ambassador.id))
            .join(Person, Person.id == Ambassador.person_id)
            .where(Person.slack_user_id == slack_user_id, Ambassador.status == AmbassadorStatus.ACTIVE)
        )
        return bool((await self.s.execute(stmt)).scalar_one())

    async def pending_since(self, before: datetime) -> Sequence[UserGroup]:
        """Requests waiting for review, last sent before `before` (candidates for auto-approval)."""
        stmt = (
            select(UserGroup)
            .where(UserGroup.status == UserGroupStatus.PENDING, UserGroup.submitted_at <= before)
            .order_by(UserGroup.id)
        )
        return await self._all(stmt)
