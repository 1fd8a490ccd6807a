"""The base of every repository: the session of its unit of work and the few statement shapes the
repositories all repeat, written once.

- `_one` / `_first` / `_all`: the rows of a SELECT of one entity (or one column);
- `_add`: insert and flush, so the row has its id; `_add_once`: insert in a savepoint and say
  False, not fail, when a unique constraint shows that another request got there first;
- `_rowcount`: run an UPDATE/DELETE and say how many rows it changed (a conditional UPDATE that
  changed one row is the winner of a race);
- `_count_by`: how many rows per value of a column; `_page`: the first `limit` rows of a query
  and how many rows match in all.

`fresh(stmt)` asks for the database's values even for rows this session holds already.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Executable, Select, func, select
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

    async def _count_by(self, column: InstrumentedAttribute[Any]) -> dict[str, int]:
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
        total = (await self.s.execute(select(func.count()).select_from(entity).where(where))).scalar_one()
        return rows, int(total)
