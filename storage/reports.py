"""Read-only queries for moderators' reports and exports.

Tables of features that may not be installed (RSVPs, user groups) are looked up by name in the
database itself; when one is missing the answer is None, never an error.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import MetaData, Table, func, inspect, select
from sqlalchemy.orm import Session

from storage.enums import AmbassadorStatus
from storage.models import Ambassador, Application, AuditEntry, Base, OnboardingStep, Person
from storage.repository import Repository
from storage.requests import SPENT_STATUSES, Request

Row = dict[str, Any]


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class ReportRepo(Repository):
    async def reflect(self, name: str) -> Table | None:
        """The table as it is in the database, or None when this database has no such table."""

        def go(sync_session: Session) -> Table | None:
            conn = sync_session.connection()
            if not inspect(conn).has_table(name):
                return None
            return Table(name, MetaData(), autoload_with=conn)

        return await self.s.run_sync(go)

    async def ambassadors_by_status(self) -> dict[str, int]:
        return await self._count_by(Ambassador.status)

    async def ambassadors_created_since(self, since: datetime) -> list[datetime]:
        stmt = select(Ambassador.created_at).where(Ambassador.created_at >= since)
        return [_utc(d) for d in (await self.s.execute(stmt)).scalars()]

    async def renewals_due(self, now: datetime, until: datetime) -> int:
        stmt = (
            select(func.count())
            .select_from(Ambassador)
            .where(
                Ambassador.status == AmbassadorStatus.ACTIVE,
                Ambassador.term_end >= now,
                Ambassador.term_end <= until,
            )
        )
        return await self._count(stmt)

    async def overdue(self, now: datetime) -> int:
        """Active terms that have ended (waiting for the sweep to move them to alumni)."""
        stmt = (
            select(func.count())
            .select_from(Ambassador)
            .where(Ambassador.status == AmbassadorStatus.ACTIVE, Ambassador.term_end < now)
        )
        return await self._count(stmt)

    async def lapsed(self) -> int:
        """Former ambassadors whose term ran out without renewal (not those who stepped down)."""
        lapsed_people = set(
            (
                await self.s.execute(
                    select(AuditEntry.subject_id).where(
                        AuditEntry.action == "ambassador.lapsed", AuditEntry.subject_type == "person"
                    )
                )
            ).scalars()
        )
        rows = (await self.s.execute(select(Ambassador.person_id, Ambassador.status))).all()
        return sum(
            1
            for person_id, status in rows
            if status == AmbassadorStatus.LAPSED
            or (status != AmbassadorStatus.ACTIVE and str(person_id) in lapsed_people)
        )

    async def onboarding_of_active(self) -> list[tuple[int, datetime, datetime | None]]:
        """(ambassador id, term start, step completed at) for every step of every active term."""
        stmt = (
            select(Ambassador.id, Ambassador.term_start, OnboardingStep.completed_at)
            .join(OnboardingStep, OnboardingStep.ambassador_id == Ambassador.id)
            .where(Ambassador.status == AmbassadorStatus.ACTIVE)
        )
        return [(int(r[0]), r[1], r[2]) for r in (await self.s.execute(stmt)).all()]

    async def request_counts(self) -> list[tuple[str, str, int]]:
        """(kind, status, count) of every request."""
        stmt = select(Request.kind, Request.status, func.count()).group_by(Request.kind, Request.status)
        return [(str(r[0]), str(r[1]), int(r[2])) for r in (await self.s.execute(stmt)).all()]

    async def approved_spend(self, since: datetime | None = None) -> dict[str, Decimal]:
        """Approved amounts per currency (summed here: SQLite would add them as floats)."""
        stmt = select(Request.currency, Request.amount).where(
            Request.status.in_(SPENT_STATUSES), Request.amount.is_not(None), Request.currency.is_not(None)
        )
        if since is not None:
            stmt = stmt.where(Request.decided_at >= since)
        out: dict[str, Decimal] = {}
        for currency, amount in (await self.s.execute(stmt)).all():
            if amount is not None:
                out[str(currency)] = out.get(str(currency), Decimal(0)) + amount
        return out

    async def count_by(self, table_name: str, column: str) -> dict[str, int] | None:
        table = await self.reflect(table_name)
        if table is None or column not in table.c:
            return None
        return await self._count_by(table.c[column])

    async def meetup_rsvps_since(self, since: datetime) -> list[datetime] | None:
        """Occurrence starts of "going" RSVPs to meetups since `since`; None without RSVPs."""
        rsvps = await self.reflect("rsvps")
        if rsvps is None or "occurrence_start" not in rsvps.c:
            return None
        stmt = select(rsvps.c.occurrence_start)
        if "answer" in rsvps.c:
            stmt = stmt.where(rsvps.c.answer == "going")
        series = await self.reflect("event_series")
        if series is not None and "series_id" in rsvps.c and "kind" in series.c:
            stmt = stmt.join(series, series.c.id == rsvps.c.series_id).where(series.c.kind == "meetup")
        starts = [_utc(d) for d in (await self.s.execute(stmt)).scalars() if isinstance(d, datetime)]
        return [d for d in starts if d >= since]


class ExportRepo(Repository):
    """Rows for the CSV/JSON exports, with their Python types (the service encodes them)."""

    async def _table(self, table: Table, order: Sequence[Any]) -> list[Row]:
        result = await self.s.execute(select(table).order_by(*order))
        return [dict(r) for r in result.mappings().all()]

    async def ambassadors(self) -> list[Row]:
        stmt = (
            select(
                Ambassador.id.label("ambassador_id"),
                Person.slack_user_id,
                Person.display_name.label("name"),
                Person.forum_username,
                Ambassador.status,
                Ambassador.term_start,
                Ambassador.term_end,
                Ambassador.application_id,
                Ambassador.created_at,
            )
            .join(Person, Person.id == Ambassador.person_id)
            .order_by(Ambassador.id)
        )
        return [dict(r) for r in (await self.s.execute(stmt)).mappings().all()]

    async def applications(self) -> list[Row]:
        table = Application.__table__
        assert isinstance(table, Table)
        return await self._table(table, [table.c.id])

    async def requests(self) -> list[Row]:
        table = Request.__table__
        assert isinstance(table, Table)
        return await self._table(table, [table.c.id])

    async def audit(self) -> list[Row]:
        table = AuditEntry.__table__
        assert isinstance(table, Table)
        return await self._table(table, [table.c.id])

    async def by_name(self, table_name: str) -> tuple[list[str], list[Row]] | None:
        """The columns and rows of a table known only by name (another feature's), or None when
        the database has no such table."""
        reflected = await ReportRepo(self.s).reflect(table_name)
        if reflected is None:
            return None
        # The model's own table when it is loaded: its column types give aware datetimes etc.
        table = Base.metadata.tables.get(table_name, reflected)
        rows = await self._table(table, list(table.primary_key.columns) or list(table.columns))
        return [c.name for c in table.columns], rows
