"""Every table of the schema, row by row: what `ambassador-bot backup` and `restore` read and write.

The tables are those of `Base.metadata` once every storage module is imported (features keep their
models in `storage/<feature>.py`), so a feature that adds a table is backed up without anyone
listing it here.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any, TypeAlias

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    Integer,
    LargeBinary,
    Numeric,
    Table,
    Time,
    delete,
    func,
    inspect,
    select,
    text,
)
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeDecorator, TypeEngine

from storage.models import Base, import_all_models
from storage.repository import Repository

CHUNK = 500
BackupTable: TypeAlias = Table  # what the backup service holds: one table of the schema, opaque to it


def tables() -> list[Table]:
    """Every table, parents before children (the order rows can be inserted in)."""
    import_all_models()
    return list(Base.metadata.sorted_tables)


def _base_type(t: TypeEngine[Any]) -> TypeEngine[Any]:
    while isinstance(t, TypeDecorator):
        t = t.impl_instance
    return t


def encode(t: TypeEngine[Any], value: Any) -> Any:
    """A column value as JSON-ready data that `decode` turns back into the same value.

    Values read back exactly on either engine: decimals as strings, datetimes as ISO 8601 in UTC
    with the zone, dates and times as ISO, binary data as base64, JSON columns as JSON."""
    if value is None:
        return None
    base = _base_type(t)
    if isinstance(base, DateTime) or isinstance(value, datetime):
        dt: datetime = value
        return (dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)).isoformat()
    if isinstance(base, Date) or isinstance(value, date):
        return value.isoformat()
    if isinstance(base, Time) or isinstance(value, time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(base, LargeBinary) or isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def decode(t: TypeEngine[Any], raw: Any) -> Any:
    if raw is None:
        return None
    base = _base_type(t)
    if isinstance(base, JSON):
        return raw
    if isinstance(base, DateTime):
        dt = datetime.fromisoformat(str(raw))
        return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt
    if isinstance(base, Date):
        return date.fromisoformat(str(raw))
    if isinstance(base, Time):
        return time.fromisoformat(str(raw))
    if isinstance(base, Float):
        return float(raw)
    if isinstance(base, Numeric):
        return Decimal(str(raw))
    if isinstance(base, Boolean):
        return bool(raw)
    if isinstance(base, Integer):
        return int(raw)
    if isinstance(base, LargeBinary):
        return base64.b64decode(str(raw))
    return raw


class BackupRepo(Repository):
    def _dialect(self) -> str:
        bind = self.s.bind
        return bind.dialect.name if bind is not None else ""

    async def begin_snapshot(self) -> None:
        """On PostgreSQL, read every table from one snapshot (call before the first query)."""
        if self._dialect() == "postgresql":
            await self.s.connection(execution_options={"isolation_level": "REPEATABLE READ"})

    async def existing_tables(self) -> set[str]:
        def go(sync_session: Session) -> set[str]:
            return set(inspect(sync_session.connection()).get_table_names())

        return await self.s.run_sync(go)

    async def schema_heads(self) -> list[str]:
        if "alembic_version" not in await self.existing_tables():
            return []
        rows = await self.s.execute(text("SELECT version_num FROM alembic_version"))
        return sorted(str(r[0]) for r in rows.all())

    async def rows(self, table: Table) -> list[dict[str, Any]]:
        order = list(table.primary_key.columns) or list(table.columns)
        result = await self.s.execute(select(table).order_by(*order))
        return [dict(r) for r in result.mappings().all()]

    async def count(self, table: Table) -> int:
        return await self._count(select(func.count()).select_from(table))

    async def clear(self, all_tables: Sequence[Table]) -> None:
        for table in reversed(all_tables):  # children first
            await self.s.execute(delete(table))

    async def insert(self, table: Table, rows: Sequence[dict[str, Any]]) -> None:
        for start in range(0, len(rows), CHUNK):
            await self.s.execute(table.insert(), list(rows[start : start + CHUNK]))

    async def reset_sequences(self, all_tables: Sequence[Table]) -> None:
        """PostgreSQL: move each serial id's sequence past the restored ids."""
        if self._dialect() != "postgresql":
            return
        for table in all_tables:
            pk = list(table.primary_key.columns)
            if len(pk) != 1 or not isinstance(pk[0].type, Integer):
                continue
            name, col = table.name, pk[0].name
            seq = (
                await self.s.execute(text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": name, "c": col})
            ).scalar_one_or_none()
            if seq is None:
                continue
            await self.s.execute(
                text(
                    f'SELECT setval(:seq, COALESCE((SELECT MAX("{col}") FROM "{name}"), 0) + 1, false)'  # noqa: S608
                ),
                {"seq": seq},
            )
