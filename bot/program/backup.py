"""Backup and restore: every table, as JSON with typed values, restorable on either engine.

Values are written so they read back exactly: decimals as strings ("12.5000"), datetimes as ISO
8601 in UTC with the zone ("2026-11-23T09:00:00.123456+00:00"), dates as ISO dates, binary data
as base64, JSON columns as JSON. Tables come parents first, so a restore inserts in that order.
A restore goes into an empty, migrated database (or, with force, one it empties first) in one
transaction: it fully succeeds or changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC
from decimal import InvalidOperation
from typing import Any

from bot.program.errors import Conflict, InvalidInput
from bot.program.ports import Clock
from bot.program.text import plural
from storage.backup import BackupTable, decode, encode, tables
from storage.uow import UnitOfWork

FORMAT = "ambassador-bot-backup"
VERSION = 1


@dataclass(frozen=True)
class RestoreResult:
    rows: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.rows.values())


class BackupService:
    def __init__(self, uow: Callable[[], UnitOfWork], clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def dump(self) -> dict[str, Any]:
        """Everything in the database, as one JSON-ready document."""
        all_tables = tables()
        async with self._uow() as uow:
            repo = uow.backup
            await repo.begin_snapshot()
            heads = await repo.schema_heads()
            out: list[dict[str, Any]] = []
            for table in all_tables:
                cols = list(table.columns)
                rows = await repo.rows(table)
                out.append(
                    {
                        "name": table.name,
                        "columns": [c.name for c in cols],
                        "rows": [[encode(c.type, row[c.name]) for c in cols] for row in rows],
                    }
                )
        return {
            "format": FORMAT,
            "version": VERSION,
            "created_at": self._clock.now().astimezone(UTC).isoformat(),
            "schema": heads,
            "tables": out,
        }

    async def row_counts(self) -> dict[str, int]:
        async with self._uow() as uow:
            repo = uow.backup
            return {t.name: await repo.count(t) for t in tables()}

    async def restore(self, data: Mapping[str, Any], *, force: bool = False) -> RestoreResult:
        """Load a backup into this database; refuses a database with rows in it unless `force`."""
        known = {t.name: t for t in tables()}
        plan = _check(data, known)
        async with self._uow() as uow:
            repo = uow.backup
            existing = await repo.existing_tables()
            missing = sorted(set(plan) - existing)
            if missing:
                raise Conflict(
                    f"This database has no table {', '.join(missing)}: run `ambassador-bot migrate` first."
                )
            ordered = [t for t in known.values() if t.name in existing]
            if not force:
                filled = [t.name for t in ordered if await repo.count(t)]
                if filled:
                    raise Conflict(
                        f"The database is not empty ({', '.join(filled[:5])}{'…' if len(filled) > 5 else ''} "
                        "have rows). Restore into a new database, or use --force to replace everything."
                    )
            else:
                await repo.clear(ordered)
            counts: dict[str, int] = {}
            for table in ordered:
                if table.name not in plan:
                    continue
                columns, rows = plan[table.name]
                await repo.insert(table, [dict(zip(columns, row, strict=True)) for row in rows])
                counts[table.name] = len(rows)
            await repo.reset_sequences(ordered)
        return RestoreResult(counts)


def _check(
    data: Mapping[str, Any], known: Mapping[str, BackupTable]
) -> dict[str, tuple[list[str], list[list[Any]]]]:
    """Validate the document and decode its values; InvalidInput says what is wrong."""
    if not isinstance(data, Mapping) or data.get("format") != FORMAT:
        raise InvalidInput('This is not an ambassador-bot backup (no "format": "ambassador-bot-backup").')
    if data.get("version") != VERSION:
        raise InvalidInput(
            f"Backup format version {data.get('version')!r} is not supported (expected {VERSION})."
        )
    items = data.get("tables")
    if not isinstance(items, list):
        raise InvalidInput("The backup has no list of tables.")
    plan: dict[str, tuple[list[str], list[list[Any]]]] = {}
    for item in items:
        if not isinstance(item, Mapping):
            raise InvalidInput("A table entry of the backup is not an object.")
        name = str(item.get("name"))
        table = known.get(name)
        if table is None:
            raise InvalidInput(f"The backup has a table {name!r} that this version of the bot does not know.")
        columns = item.get("columns")
        rows = item.get("rows")
        if not isinstance(columns, list) or not isinstance(rows, list):
            raise InvalidInput(f"Table {name}: columns and rows must be lists.")
        unknown = [c for c in columns if c not in table.c]
        if unknown:
            names = ", ".join(map(str, unknown))
            raise InvalidInput(f"Table {name}: {plural(len(unknown), 'unknown column')}: {names}.")
        decoded: list[list[Any]] = []
        for i, row in enumerate(rows):
            if not isinstance(row, list) or len(row) != len(columns):
                raise InvalidInput(f"Table {name}, row {i + 1}: expected {len(columns)} values.")
            try:
                decoded.append([decode(table.c[c].type, v) for c, v in zip(columns, row, strict=True)])
            except (ValueError, TypeError, InvalidOperation) as err:
                raise InvalidInput(f"Table {name}, row {i + 1}: {err}") from None
        plan[name] = ([str(c) for c in columns], decoded)
    return plan
