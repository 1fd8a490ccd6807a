"""Read models of the ambassador lifecycle spanning several tables (`LifecycleRepo`, bound as
`uow.lifecycle`): onboarding overviews, the review queue and the audit trail about a person.
Nominations, profiles and link codes live in storage/nominations.py, directory.py and linking.py."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Ambassador,
    Application,
    AuditEntry,
    OnboardingStep,
    Person,
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
            .where(Ambassador.status == "active", OnboardingStep.completed_at.is_(None))
            .group_by(Ambassador.id, Person.id)
        )
        stmt = base.order_by(Ambassador.term_start, Ambassador.id).limit(limit)
        rows = [StuckRow(p, a, int(n)) for a, p, n in (await self.s.execute(stmt)).all()]
        total_stmt = select(func.count(func.distinct(OnboardingStep.ambassador_id))).where(
            OnboardingStep.completed_at.is_(None),
            OnboardingStep.ambassador_id.in_(select(Ambassador.id).where(Ambassador.status == "active")),
        )
        return rows, int((await self.s.execute(total_stmt)).scalar_one())

    async def pending_applications(self, limit: int) -> tuple[Sequence[Application], int]:
        stmt = (
            select(Application)
            .where(Application.status == "pending")
            .order_by(Application.submitted_at, Application.id)
            .limit(limit)
            .execution_options(populate_existing=True)
        )
        rows = (await self.s.execute(stmt)).scalars().all()
        total = (
            await self.s.execute(select(func.count()).where(Application.status == "pending"))
        ).scalar_one()
        return rows, int(total)

    async def end_term(self, ambassador_id: int, at: datetime) -> bool:
        """active → alumni, exactly once (a double click ends the term once)."""
        stmt = (
            update(Ambassador)
            .where(Ambassador.id == ambassador_id, Ambassador.status == "active")
            .values(status="alumni", term_end=at, updated_at=at)
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
