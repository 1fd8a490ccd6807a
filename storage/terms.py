"""Queries of the terms sweeps (renewal reminders, lapses, onboarding nudges, the weekly digest):
active terms with their people, term starts, recent lapses and who has an application pending.

Bound on the unit of work as `uow.terms`, so `bot.program.reminders` writes no SQL itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select

from storage.enums import AmbassadorStatus, ApplicationStatus
from storage.models import Ambassador, Application, Person
from storage.repository import Repository

_CHUNK = 500  # ids per IN (...) list: well inside every engine's parameter limit


class TermRepo(Repository):
    async def active(
        self,
        ending_before: datetime | None = None,
        started_before: datetime | None = None,
        ids: set[int] | None = None,
    ) -> list[tuple[Ambassador, Person]]:
        """Active terms with their person; optionally only those ending or started by a time, or with
        the given ambassador ids (looked up in chunks)."""
        stmt = (
            select(Ambassador, Person)
            .join(Person, Person.id == Ambassador.person_id)
            .where(Ambassador.status == AmbassadorStatus.ACTIVE)
        )
        if ending_before is not None:
            stmt = stmt.where(Ambassador.term_end <= ending_before)
        if started_before is not None:
            stmt = stmt.where(Ambassador.term_start <= started_before)
        if ids is None:
            return [(r[0], r[1]) for r in (await self.s.execute(stmt)).all()]
        found: list[tuple[Ambassador, Person]] = []
        wanted = sorted(ids)
        for i in range(0, len(wanted), _CHUNK):
            chunk = stmt.where(Ambassador.id.in_(wanted[i : i + _CHUNK]))
            found += [(r[0], r[1]) for r in (await self.s.execute(chunk)).all()]
        return found

    async def active_starts(self, started_before: datetime) -> dict[int, datetime]:
        """Ambassador id → term start of the active terms started by then (two columns, no rows)."""
        stmt = select(Ambassador.id, Ambassador.term_start).where(
            Ambassador.status == AmbassadorStatus.ACTIVE, Ambassador.term_start <= started_before
        )
        return {int(i): start for i, start in (await self.s.execute(stmt)).all()}

    async def lapsed_since(self, ended_after: datetime) -> Sequence[Ambassador]:
        """Alumni whose term ended at or after the given time."""
        stmt = select(Ambassador).where(
            Ambassador.status == AmbassadorStatus.ALUMNI, Ambassador.term_end >= ended_after
        )
        return await self._all(stmt)

    async def pending_applicants(self) -> set[int]:
        """The people with an application waiting for review."""
        stmt = select(Application.person_id).where(Application.status == ApplicationStatus.PENDING)
        return {int(x) for x in (await self.s.execute(stmt)).scalars()}
