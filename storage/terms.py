"""Queries of the terms sweeps (renewal reminders, lapses, onboarding nudges, the weekly digest):
active terms with their people, the terms with something due, term starts, recent lapses and who
has an application pending.

A term's next due moments (`Ambassador.term_due_at`: its next renewal reminder or its lapse;
`Ambassador.nudge_due_at`: its onboarding nudge) are indexed, so a sweep reads only the terms with
something due. They are kept here: whenever a term is created, or its end, start or status
changes through the ORM, they are reset to `CHECK_NOW` (the next sweep looks at the term and sets
the real moment, which depends on the settings), or to NULL when the term is no longer active; the
sweep moves them on (`advance`) once it has decided what was due.

Bound on the unit of work as `uow.terms`, so `bot.program.reminders` writes no SQL itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Table, bindparam, event, inspect, select, update
from sqlalchemy.orm import Mapper

from storage.enums import AmbassadorStatus, ApplicationStatus
from storage.models import CHECK_NOW, Ambassador, Application, Person
from storage.repository import Repository

_CHUNK = 500  # ids per IN (...) list: well inside every engine's parameter limit
STREAM_ROWS = 200  # rows turned into objects per step of a streamed read
Due = Literal["term", "nudge"]
# Which column holds each due moment, and the column that must not have changed meanwhile for the
# sweep's new moment to still be right (a renewal moves the end; a new term, the start).
_COLUMNS = {"term": ("term_due_at", "term_end"), "nudge": ("nudge_due_at", "term_start")}


def _reset_due(amb: Ambassador, inserting: bool) -> None:
    if amb.status != AmbassadorStatus.ACTIVE:
        amb.term_due_at = amb.nudge_due_at = None
        return
    state = inspect(amb)
    changed = {
        name for name in ("status", "term_end", "term_start") if state.attrs[name].history.has_changes()
    }
    if inserting or changed & {"status", "term_end"}:
        amb.term_due_at = CHECK_NOW
    if inserting or changed & {"status", "term_start"}:
        amb.nudge_due_at = CHECK_NOW


@event.listens_for(Ambassador, "before_insert")
def _due_of_new_term(_mapper: Mapper[Ambassador], _conn: Any, amb: Ambassador) -> None:
    _reset_due(amb, inserting=True)


@event.listens_for(Ambassador, "before_update")
def _due_of_changed_term(_mapper: Mapper[Ambassador], _conn: Any, amb: Ambassador) -> None:
    _reset_due(amb, inserting=False)


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

    async def due(self, which: Due, now: datetime, every: bool = False) -> list[tuple[Ambassador, Person]]:
        """Active terms whose term (renewal, lapse) or nudge moment has come, with their person:
        an index range on the due column, however many terms there are (`every`: all active
        terms, whatever their moment says)."""
        column = getattr(Ambassador, _COLUMNS[which][0])
        stmt = (
            select(Ambassador, Person)
            .join(Person, Person.id == Ambassador.person_id)
            .where(Ambassador.status == AmbassadorStatus.ACTIVE)
        )
        if not every:
            stmt = stmt.where(column <= now)
        # Streamed a partition at a time: turning thousands of rows into objects in one go would
        # hold the event loop (and the deliveries waiting on it) for a tenth of a second.
        found: list[tuple[Ambassador, Person]] = []
        result = await self.s.stream(stmt.execution_options(yield_per=STREAM_ROWS))
        async for partition in result.partitions():
            found += [(r[0], r[1]) for r in partition]
        return found

    async def advance(self, which: Due, moves: Sequence[tuple[Ambassador, datetime | None]]) -> None:
        """Set each term's next due moment (None: nothing left), unless the term changed since it
        was read (renewed, restarted, ended): then the reset its change made stands."""
        if not moves:
            return
        due, guard = _COLUMNS[which]
        table = Ambassador.__table__
        assert isinstance(table, Table)
        stmt = (
            update(table)
            .where(
                table.c.id == bindparam("b_id"),
                table.c[guard] == bindparam("b_guard"),
                table.c.status == AmbassadorStatus.ACTIVE,
            )
            .values({due: bindparam("b_due"), "updated_at": table.c.updated_at})
        )
        # In id order: two replicas moving the same terms on lock their rows in the same order.
        ordered = sorted(moves, key=lambda move: move[0].id)
        rows = [{"b_id": a.id, "b_guard": getattr(a, guard), "b_due": at} for a, at in ordered]
        for i in range(0, len(rows), STREAM_ROWS):  # a step at a time, as `due` reads them
            await self.s.execute(stmt, rows[i : i + STREAM_ROWS])

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
