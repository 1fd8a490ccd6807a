"""Every table of the schema, row by row: what `ambassador-bot backup` and `restore` read and write.

The tables are those of `Base.metadata` once every `storage/models*.py` module is imported, so a
feature that adds a model module is backed up without anyone listing it here.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Integer, Table, delete, func, inspect, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

import storage
from storage.models import Base

CHUNK = 500


def import_all_models() -> None:
    """Import storage.models and every storage.models_* module, so the metadata is complete."""
    for info in pkgutil.iter_modules(storage.__path__):
        if info.name == "models" or info.name.startswith("models_"):
            importlib.import_module(f"storage.{info.name}")


def tables() -> list[Table]:
    """Every table, parents before children (the order rows can be inserted in)."""
    import_all_models()
    return list(Base.metadata.sorted_tables)


class BackupRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.s = session

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
        return int((await self.s.execute(select(func.count()).select_from(table))).scalar_one())

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
