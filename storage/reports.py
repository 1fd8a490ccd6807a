"""Read-only queries for moderators' reports and exports.

Tables of features that may not be installed (RSVPs, user groups) are looked up by name in the
database itself; when one is missing the answer is None, never an error.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import MetaData, String, Table, and_, case, cast, func, inspect, or_, select
from sqlalchemy.orm import Session

from storage.enums import AmbassadorStatus
from storage.models import Ambassador, Application, AuditEntry, Base, OnboardingStep, Person
from storage.repository import Repository
from storage.requests import SPENT_STATUSES, Request

Row = dict[str, Any]


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _days(later: Any, earlier: Any, dialect: str) -> Any:
    """Days from `earlier` to `later` as a number, in SQL (SQLite keeps datetimes as text)."""
    if dialect == "sqlite":
        return func.julianday(later) - func.julianday(earlier)
    return func.extract("epoch", later - earlier) / 86400.0


class ReportRepo(Repository):
    async def reflect(self, name: str) -> Table | None:
        """The table as it is in the database, or None when this database has no such table: the
        model's own table when its feature is loaded and its columns are all there (no reflection
        round trips), else as reflected."""

        def go(sync_session: Session) -> Table | None:
            conn = sync_session.connection()
            inspector = inspect(conn)
            if not inspector.has_table(name):
                return None
            model = Base.metadata.tables.get(name)
            if model is not None:
                have = {c["name"] for c in inspector.get_columns(name)}
                if {c.name for c in model.columns} <= have:
                    return model
            return Table(name, MetaData(), autoload_with=conn)

        return await self.s.run_sync(go)

    async def ambassadors_by_status(self) -> dict[str, int]:
        return await self._count_by(Ambassador.status)

    async def ambassadors_created(
        self, ranges: Sequence[tuple[datetime, datetime | None]], until: datetime
    ) -> list[int]:
        """How many ambassador rows were created in each [start, end) range (end None: open), up
        to `until`: one query, counted in SQL."""
        created = Ambassador.created_at
        counts = [
            func.coalesce(
                func.sum(
                    case((created >= start if end is None else and_(created >= start, created < end), 1))
                ),
                0,
            )
            for start, end in ranges
        ]
        since = min(start for start, _end in ranges)
        row = (await self.s.execute(select(*counts).where(created >= since, created <= until))).one()
        return [int(n) for n in row]

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
        lapsed_people = select(AuditEntry.subject_id).where(
            AuditEntry.action == "ambassador.lapsed", AuditEntry.subject_type == "person"
        )
        stmt = (
            select(func.count())
            .select_from(Ambassador)
            .where(
                or_(
                    Ambassador.status == AmbassadorStatus.LAPSED,
                    and_(
                        Ambassador.status != AmbassadorStatus.ACTIVE,
                        cast(Ambassador.person_id, String).in_(lapsed_people),
                    ),
                )
            )
        )
        return await self._count(stmt)

    async def onboarding_of_active(self) -> tuple[int, float | None]:
        """Of the active terms with onboarding steps, how many have every step done, and the
        median of the days from their start to their last step (None when none has): counted and
        ranked in SQL."""
        done = func.count(OnboardingStep.completed_at)
        days = _days(
            func.max(OnboardingStep.completed_at), Ambassador.term_start, self.s.get_bind().dialect.name
        )
        per_term = (
            select(days.label("days"))
            .join(OnboardingStep, OnboardingStep.ambassador_id == Ambassador.id)
            .where(Ambassador.status == AmbassadorStatus.ACTIVE)
            .group_by(Ambassador.id, Ambassador.term_start)
            .having(func.count() == done)
            .subquery()
        )
        ranked = select(
            per_term.c.days,
            func.row_number().over(order_by=per_term.c.days).label("n"),
            func.count().over().label("total"),
        ).subquery()
        # The median: the middle row, or the mean of the two middle rows (integer division).
        middle = ranked.c.n.in_([(ranked.c.total + 1) // 2, (ranked.c.total + 2) // 2])
        stmt = select(func.max(ranked.c.total), func.avg(ranked.c.days)).where(middle)
        total, median = (await self.s.execute(stmt)).one()
        return int(total or 0), None if median is None else float(median)

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
