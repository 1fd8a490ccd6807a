"""The ambassador lifecycle as the home tab, onboarding, retire and audit views read it: read
models spanning several tables (`LifecycleRepo`, bound as `uow.lifecycle`), always fresh from the
database: a person's term, checklist and latest application, the stuck-onboarding and review
queues, the term's end, and the audit trail about a person."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, or_, select

from storage.enums import AmbassadorStatus, ApplicationStatus
from storage.models import Ambassador, Application, AuditEntry, OnboardingStep, Person
from storage.repositories import checklist, latest_application
from storage.repository import Repository, fresh


@dataclass(frozen=True)
class StuckRow:
    person: Person
    ambassador: Ambassador
    open_steps: int


def _subjects(kind: str, ids: Sequence[int]) -> ColumnElement[bool]:
    return and_(AuditEntry.subject_type == kind, AuditEntry.subject_id.in_([str(i) for i in ids]))


class LifecycleRepo(Repository):
    """Read models spanning several tables (always fresh from the database)."""

    async def ambassador(self, person_id: int) -> Ambassador | None:
        return await self._one(fresh(select(Ambassador).where(Ambassador.person_id == person_id)))

    async def steps(self, ambassador_id: int) -> Sequence[OnboardingStep]:
        return await self._all(fresh(checklist(ambassador_id)))

    async def latest_application(self, person_id: int) -> Application | None:
        return await self._first(fresh(latest_application(person_id)))

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
        return rows, await self._count(total_stmt)

    async def pending_applications(self, limit: int) -> tuple[Sequence[Application], int]:
        order = (Application.submitted_at, Application.id)
        pending = Application.status == ApplicationStatus.PENDING
        return await self._page(Application, pending, order, limit, renew=True)

    async def end_term(self, ambassador_id: int, at: datetime) -> bool:
        """active → alumni, exactly once (a double click ends the term once)."""
        alumni = {
            "status": AmbassadorStatus.ALUMNI,
            "term_end": at,
            "updated_at": at,
            "term_due_at": None,  # nothing is due about a term that ended
            "nudge_due_at": None,
        }
        return await self._transition(Ambassador, ambassador_id, AmbassadorStatus.ACTIVE, **alumni)

    async def audit_about(
        self, person_id: int, application_ids: Sequence[int], nomination_ids: Sequence[int], limit: int
    ) -> Sequence[AuditEntry]:
        """The latest audit entries whose subject is the person, one of their applications or one
        of the nominations of them."""
        about = [and_(AuditEntry.subject_type == "person", AuditEntry.subject_id == str(person_id))]
        if application_ids:
            about.append(_subjects("application", application_ids))
        if nomination_ids:
            about.append(_subjects("nomination", nomination_ids))
        stmt = select(AuditEntry).where(or_(*about)).order_by(AuditEntry.id.desc()).limit(limit)
        return await self._all(stmt)

    async def application_ids(self, person_id: int) -> list[int]:
        stmt = select(Application.id).where(Application.person_id == person_id)
        return [int(i) for i in await self._all(stmt)]
