"""The base of every repository: the session of its unit of work and the few statement shapes the
repositories all repeat, written once.

- `_one` / `_first` / `_all`: the rows of a SELECT of one entity (or one column);
- `_add`: insert and flush, so the row has its id; `_add_once`: insert in a savepoint and say
  False, not fail, when a unique constraint shows that another request got there first;
- `_rowcount`: run an UPDATE/DELETE and say how many rows it changed; `_update` / `_update_one`:
  the conditional UPDATE (of two requests racing, the one that changed the row won);
- `_transition`: such an UPDATE of one row by id, from the statuses given;
- `_newest`: the matching row written last;
- `_count`: the number a count query answers; `_count_by`: how many rows per value of a column;
- `_page`: the first `limit` rows of a query and how many rows match in all.

`fresh(stmt)` asks for the database's values even for rows this session holds already.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Executable, Select, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

T = TypeVar("T")


def fresh(stmt: Select[T]) -> Select[T]:
    """The statement, reading the database's values over what the session holds."""
    return stmt.execution_options(populate_existing=True)


class Repository:
    def __init__(self, session: AsyncSession) -> None:
        self.s = session

    async def _one(self, stmt: Select[T]) -> T | None:
        """The one row (None when there is none; more than one is an error)."""
        return (await self.s.scalars(stmt)).one_or_none()

    async def _first(self, stmt: Select[T]) -> T | None:
        return (await self.s.scalars(stmt)).first()

    async def _all(self, stmt: Select[T]) -> Sequence[T]:
        return (await self.s.scalars(stmt)).all()

    async def _add(self, row: T) -> T:
        self.s.add(row)
        await self.s.flush()
        return row

    async def _add_once(self, row: object) -> bool:
        """Insert in a savepoint; False when a unique constraint refuses it (a concurrent twin)."""
        try:
            async with self.s.begin_nested():
                self.s.add(row)
                await self.s.flush()
        except IntegrityError:
            return False
        return True

    async def _rowcount(self, stmt: Executable) -> int:
        result = await self.s.execute(stmt)
        return int(getattr(result, "rowcount", 0) or 0)

    async def _update(self, entity: type[Any], *where: ColumnElement[bool], **values: Any) -> int:
        """A conditional UPDATE of the rows of `entity` matching `where`: how many it changed.

        The session's objects are left as they are (no synchronisation): the callers read the
        outcome from the count, and read rows afresh when they need them."""
        stmt = update(entity).where(*where).values(**values).execution_options(synchronize_session=False)
        return await self._rowcount(stmt)

    async def _update_one(self, entity: type[Any], *where: ColumnElement[bool], **values: Any) -> bool:
        """`_update` of one row: True when this call moved it (False: it was not, or no longer, there)."""
        return await self._update(entity, *where, **values) == 1

    async def _transition(
        self, entity: type[Any], row_id: int, from_status: str | Iterable[str], **values: Any
    ) -> bool:
        """Move the row with this id on, but only from `from_status` (one status or several): True
        when this call moved it; of two requests deciding at once, exactly one does."""
        status: InstrumentedAttribute[str] = getattr(entity, "status")  # noqa: B009
        now_in = status == from_status if isinstance(from_status, str) else status.in_(tuple(from_status))
        return await self._update_one(entity, getattr(entity, "id") == row_id, now_in, **values)  # noqa: B009

    async def _newest(self, entity: type[T], *where: ColumnElement[bool], renew: bool = False) -> T | None:
        """The matching row with the highest id (the latest one written)."""
        ident: InstrumentedAttribute[int] = getattr(entity, "id")  # noqa: B009 (every table has an id)
        stmt = select(entity).where(*where).order_by(ident.desc()).limit(1)
        return await self._first(fresh(stmt) if renew else stmt)

    async def _count(self, stmt: Select[Any]) -> int:
        """The number a `SELECT count(...)` answers."""
        return int((await self.s.execute(stmt)).scalar_one())

    async def _count_by(self, column: ColumnElement[Any] | InstrumentedAttribute[Any]) -> dict[str, int]:
        rows = await self.s.execute(select(column, func.count()).group_by(column))
        return {str(row[0]): int(row[1]) for row in rows.all()}

    async def _page(
        self,
        entity: type[T],
        where: ColumnElement[bool],
        order: Sequence[Any],
        limit: int,
        *,
        renew: bool = False,
    ) -> tuple[Sequence[T], int]:
        """The first `limit` rows of `entity` matching `where` in `order`, and how many match."""
        stmt = select(entity).where(where).order_by(*order).limit(limit)
        rows = await self._all(fresh(stmt) if renew else stmt)
        return rows, await self._count(select(func.count()).select_from(entity).where(where))
