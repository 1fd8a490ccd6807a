"""Repositories for the ambassador lifecycle: nominations, profiles and the directory search,
forum link codes, onboarding overviews, the review queue and the audit trail about a person."""

from __future__ import annotations

import operator
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import reduce

from sqlalchemy import ColumnElement, Integer, and_, case, func, literal, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.enums import AmbassadorStatus, ApplicationStatus, NominationStatus
from storage.models import (
    Ambassador,
    Application,
    AuditEntry,
    LinkCode,
    Nomination,
    OnboardingStep,
    Person,
    Profile,
)

OPEN_NOMINATION = (NominationStatus.PENDING, NominationStatus.INVITED)


@dataclass(frozen=True)
class DirectoryRow:
    """What `find` needs of one candidate (plain columns: no ORM objects to build)."""

    person_id: int
    slack_user_id: str | None
    display_name: str
    search_text: str
    city: str
    country: str
    timezone: str
    expertise: str
    help_with: str
    contact: str


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

    async def decide(self, nomination_id: int, status: NominationStatus, by: str, at: datetime) -> bool:
        """Move a pending nomination on; False when someone else decided first."""
        stmt = (
            update(Nomination)
            .where(Nomination.id == nomination_id, Nomination.status == NominationStatus.PENDING)
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
            .where(Nomination.status == NominationStatus.PENDING)
            .order_by(Nomination.created_at, Nomination.id)
            .limit(limit)
            .execution_options(populate_existing=True)
        )
        rows = (await self.s.execute(stmt)).scalars().all()
        total = (
            await self.s.execute(select(func.count()).where(Nomination.status == NominationStatus.PENDING))
        ).scalar_one()
        return rows, int(total)


class ProfileRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.s = session

    async def for_person(self, person_id: int) -> Profile | None:
        stmt = select(Profile).where(Profile.person_id == person_id)
        return (await self.s.execute(stmt)).scalar_one_or_none()

    async def add(self, profile: Profile) -> Profile:
        self.s.add(profile)
        await self.s.flush()
        return profile

    @staticmethod
    def _like(pattern: str) -> ColumnElement[bool]:
        return Profile.search_text.like(pattern, escape="\\")

    async def search(
        self, words: Sequence[str], weights: Sequence[tuple[str, int]], limit: int
    ) -> tuple[list[DirectoryRow], int]:
        """Profiles of ACTIVE ambassadors whose search_text holds a word starting with a query word.

        `search_text` is " f:word f:word … " (f = field letter), so `% f:word%` is an exact
        word-prefix test per field. Candidates come back in a coarse order (the same weights,
        summed in SQL) so the bound `limit` keeps the best ones; the caller scores them exactly.
        Returns (candidates, how many active ambassadors match at all), in one query.
        """
        if not words:
            return [], 0
        escaped = [w.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") for w in words]
        any_word = or_(*(self._like(f"% _:{w}%") for w in escaped))
        score_terms = [
            case((self._like(f"% {field}:{w}%"), literal(weight)), else_=literal(0))
            for w in escaped
            for field, weight in weights
        ]
        score = reduce(operator.add, score_terms).cast(Integer)
        stmt = (
            select(
                Person.id,
                Person.slack_user_id,
                Person.display_name,
                Profile.search_text,
                Profile.city,
                Profile.country,
                Profile.timezone,
                Profile.expertise,
                Profile.help_with,
                Profile.contact,
                func.count().over().label("matching"),
            )
            .join(Person, Person.id == Profile.person_id)
            .join(
                Ambassador,
                and_(Ambassador.person_id == Person.id, Ambassador.status == AmbassadorStatus.ACTIVE),
            )
            .where(any_word)
            .order_by(score.desc(), func.lower(Person.display_name), Person.id)
            .limit(limit)
        )
        rows = (await self.s.execute(stmt)).all()
        total = int(rows[0][-1]) if rows else 0
        found = [
            DirectoryRow(pid, slack_id, name, text, city, country, tz, expertise, help_with, contact)
            for pid, slack_id, name, text, city, country, tz, expertise, help_with, contact, _ in rows
        ]
        return found, total

    async def active_directory(
        self,
    ) -> Sequence[tuple[Person, Ambassador, Profile | None, Application | None]]:
        """Every active ambassador with their profile (if any) and the application that made them one."""
        stmt = (
            select(Person, Ambassador, Profile, Application)
            .join(
                Ambassador,
                and_(Ambassador.person_id == Person.id, Ambassador.status == AmbassadorStatus.ACTIVE),
            )
            .outerjoin(Profile, Profile.person_id == Person.id)
            .outerjoin(Application, Application.id == Ambassador.application_id)
            .order_by(func.lower(Person.display_name), Person.id)
        )
        return list((await self.s.execute(stmt)).all())


class LinkCodeRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.s = session

    async def add(self, code: LinkCode) -> LinkCode:
        self.s.add(code)
        await self.s.flush()
        return code

    async def latest_unused(self, person_id: int) -> LinkCode | None:
        stmt = (
            select(LinkCode)
            .where(LinkCode.person_id == person_id, LinkCode.used_at.is_(None))
            .order_by(LinkCode.id.desc())
            .limit(1)
            .execution_options(populate_existing=True)
        )
        return (await self.s.execute(stmt)).scalars().first()

    async def created_since(self, person_id: int, since: datetime) -> int:
        stmt = select(func.count()).where(LinkCode.person_id == person_id, LinkCode.created_at >= since)
        return int((await self.s.execute(stmt)).scalar_one())

    async def expire_unused(self, person_id: int, now: datetime) -> None:
        """A new code replaces the older ones: they stop working at once."""
        await self.s.execute(
            update(LinkCode)
            .where(LinkCode.person_id == person_id, LinkCode.used_at.is_(None), LinkCode.expires_at > now)
            .values(expires_at=now)
            .execution_options(synchronize_session=False)
        )


@dataclass(frozen=True)
class StuckRow:
    person: Person
    ambassador: Ambassador
    open_steps: int


class LifecycleRepo:
    """Read models spanning several tables (always fresh from the database)."""

    def __init__(self, session: AsyncSession) -> None:
        self.s = session

    async def ambassador(self, person_id: int) -> Ambassador | None:
        stmt = (
            select(Ambassador)
            .where(Ambassador.person_id == person_id)
            .execution_options(populate_existing=True)
        )
        return (await self.s.execute(stmt)).scalar_one_or_none()

    async def steps(self, ambassador_id: int) -> Sequence[OnboardingStep]:
        stmt = (
            select(OnboardingStep)
            .where(OnboardingStep.ambassador_id == ambassador_id)
            .order_by(OnboardingStep.position, OnboardingStep.id)
            .execution_options(populate_existing=True)
        )
        return (await self.s.execute(stmt)).scalars().all()

    async def latest_application(self, person_id: int) -> Application | None:
        stmt = (
            select(Application)
            .where(Application.person_id == person_id)
            .order_by(Application.submitted_at.desc(), Application.id.desc())
            .limit(1)
            .execution_options(populate_existing=True)
        )
        return (await self.s.execute(stmt)).scalars().first()

    async def stuck(self, limit: int) -> tuple[list[StuckRow], int]:
        """Active ambassadors with unfinished onboarding steps, longest-serving first."""
        open_steps = func.count(OnboardingStep.id)
        base = (
            select(Ambassador, Person, open_steps)
            .join(Person, Person.id == Ambassador.person_id)
            .join(OnboardingStep, OnboardingStep.ambassador_id == Ambassador.id)
            .where(Ambassador.status == AmbassadorStatus.ACTIVE, OnboardingStep.completed_at.is_(None))
            .group_by(Ambassador.id, Person.id)
        )
        stmt = base.order_by(Ambassador.term_start, Ambassador.id).limit(limit)
        rows = [StuckRow(p, a, int(n)) for a, p, n in (await self.s.execute(stmt)).all()]
        total_stmt = select(func.count(func.distinct(OnboardingStep.ambassador_id))).where(
            OnboardingStep.completed_at.is_(None),
            OnboardingStep.ambassador_id.in_(
                select(Ambassador.id).where(Ambassador.status == AmbassadorStatus.ACTIVE)
            ),
        )
        return rows, int((await self.s.execute(total_stmt)).scalar_one())

    async def pending_applications(self, limit: int) -> tuple[Sequence[Application], int]:
        stmt = (
            select(Application)
            .where(Application.status == ApplicationStatus.PENDING)
            .order_by(Application.submitted_at, Application.id)
            .limit(limit)
            .execution_options(populate_existing=True)
        )
        rows = (await self.s.execute(stmt)).scalars().all()
        total = (
            await self.s.execute(select(func.count()).where(Application.status == ApplicationStatus.PENDING))
        ).scalar_one()
        return rows, int(total)

    async def end_term(self, ambassador_id: int, at: datetime) -> bool:
        """active → alumni, exactly once (a double click ends the term once)."""
        stmt = (
            update(Ambassador)
            .where(Ambassador.id == ambassador_id, Ambassador.status == AmbassadorStatus.ACTIVE)
            .values(status=AmbassadorStatus.ALUMNI, term_end=at, updated_at=at)
            .execution_options(synchronize_session=False)
        )
        result = await self.s.execute(stmt)
        return bool(getattr(result, "rowcount", 0) == 1)

    async def audit_about(
        self, person_id: int, application_ids: Sequence[int], nomination_ids: Sequence[int], limit: int
    ) -> Sequence[AuditEntry]:
        """The latest audit entries whose subject is the person, one of their applications or one
        of the nominations of them."""
        about = [and_(AuditEntry.subject_type == "person", AuditEntry.subject_id == str(person_id))]
        if application_ids:
            about.append(
                and_(
                    AuditEntry.subject_type == "application",
                    AuditEntry.subject_id.in_([str(i) for i in application_ids]),
                )
            )
        if nomination_ids:
            about.append(
                and_(
                    AuditEntry.subject_type == "nomination",
                    AuditEntry.subject_id.in_([str(i) for i in nomination_ids]),
                )
            )
        stmt = select(AuditEntry).where(or_(*about)).order_by(AuditEntry.id.desc()).limit(limit)
        return (await self.s.execute(stmt)).scalars().all()

    async def application_ids(self, person_id: int) -> list[int]:
        stmt = select(Application.id).where(Application.person_id == person_id)
        return [int(i) for i in (await self.s.execute(stmt)).scalars().all()]
