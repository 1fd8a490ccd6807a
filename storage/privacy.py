"""Row-level reads and writes for one person's data: `export person` and `forget`.

Works on the tables of the metadata (see storage.backup.tables) so the privacy service can
both read a person's rows from every table that names them and sweep every text column.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import JSON, ColumnElement, String, Table, Text, and_, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import TypeDecorator, TypeEngine

from storage.backup import encode, tables
from storage.repository import Repository


def _base(t: TypeEngine[Any]) -> TypeEngine[Any]:
    while isinstance(t, TypeDecorator):
        t = t.impl_instance
    return t


def is_text(t: TypeEngine[Any]) -> bool:
    return isinstance(_base(t), (String, Text))


def is_json(t: TypeEngine[Any]) -> bool:
    return isinstance(_base(t), JSON)


class PrivacyRepo(Repository):
    def __init__(self, session: AsyncSession) -> None:
        super().__init__(session)
        self._tables: dict[str, Table] | None = None  # on first use: most units of work never ask

    @property
    def tables(self) -> dict[str, Table]:
        if self._tables is None:
            self._tables = {t.name: t for t in tables()}
        return self._tables

    def t(self, name: str) -> Table:
        return self.tables[name]

    def lower_eq(self, table: str, column: str, value: str) -> ColumnElement[bool]:
        """`lower(column) = value` (give value in lower case): a case-insensitive match."""
        return func.lower(self.t(table).c[column]) == value

    def encode_row(self, table: str, row: Mapping[str, Any]) -> dict[str, Any]:
        """A row as JSON-ready values (see storage.backup.encode)."""
        tbl = self.t(table)
        return {k: encode(tbl.c[k].type, v) for k, v in row.items()}

    def max_length(self, table: str, column: str) -> int | None:
        """The length limit of a String column (VARCHAR(n)), or None when it has none."""
        ctype = self.t(table).c[column].type
        length = getattr(ctype, "length", None)
        return length if isinstance(ctype, String) and length else None

    async def select_rows(self, table: str, where: ColumnElement[bool] | None) -> list[dict[str, Any]]:
        if where is None:
            return []
        tbl = self.t(table)
        order = list(tbl.primary_key.columns)
        result = await self.s.execute(select(tbl).where(where).order_by(*order))
        return [dict(r) for r in result.mappings().all()]

    async def delete_rows(self, table: str, where: ColumnElement[bool] | None) -> int:
        if where is None:
            return 0
        return await self._rowcount(delete(self.t(table)).where(where))

    async def update_rows(
        self, table: str, where: ColumnElement[bool] | None, values: Mapping[str, Any]
    ) -> int:
        if where is None or not values:
            return 0
        return await self._rowcount(update(self.t(table)).where(where).values(**values))

    async def update_by_id(self, table: str, row_id: int, values: Mapping[str, Any]) -> None:
        tbl = self.t(table)
        await self.s.execute(update(tbl).where(tbl.c.id == row_id).values(**values))

    def col_in(self, table: str, column: str, values: Iterable[Any]) -> ColumnElement[bool] | None:
        vals = [v for v in values if v is not None and v != ""]
        if not vals:
            return None
        return self.t(table).c[column].in_(vals)

    @staticmethod
    def any_of(*clauses: ColumnElement[bool] | None) -> ColumnElement[bool] | None:
        real = [c for c in clauses if c is not None]
        return or_(*real) if real else None

    def audit_about(
        self, pairs: Sequence[tuple[str, Sequence[str]]], actors: Sequence[str]
    ) -> ColumnElement[bool] | None:
        tbl = self.t("audit_log")
        clauses: list[ColumnElement[bool] | None] = [
            and_(tbl.c.subject_type == kind, tbl.c.subject_id.in_(list(ids))) for kind, ids in pairs if ids
        ]
        clauses.append(self.col_in("audit_log", "actor", actors))
        return self.any_of(*clauses)

    async def text_rows(self) -> list[tuple[str, list[str], list[dict[str, Any]]]]:
        """For every table with text or JSON columns: (table, those columns, rows with id and them)."""
        out: list[tuple[str, list[str], list[dict[str, Any]]]] = []
        for name, tbl in self.tables.items():
            if "id" not in tbl.c:
                continue
            cols = [c.name for c in tbl.columns if is_text(c.type) or is_json(c.type)]
            if not cols:
                continue
            result = await self.s.execute(select(tbl.c.id, *[tbl.c[c] for c in cols]).order_by(tbl.c.id))
            out.append((name, cols, [dict(r) for r in result.mappings().all()]))
        return out

    def column_type(self, table: str, column: str) -> TypeEngine[Any]:
        return self.t(table).c[column].type
