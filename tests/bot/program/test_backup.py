"""Backup and restore: every table round-trips exactly, also from SQLite to PostgreSQL and back;
a database with data is refused unless forced; a damaged backup changes nothing; the CLI."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from bot.cli import main as cli
from bot.program.backup import BackupService
from bot.program.errors import Conflict, InvalidInput
from bot.program.ports import SystemClock
from bot.sandbox.harness.stack import pg_database
from storage import migrate
from storage.backup import tables
from storage.db import make_engine, make_sessionmaker
from storage.forum import BadgeGrant
from storage.models import Base, OutboxMessage, Person, ProcessedEvent
from storage.profiles import Profile
from storage.requests import Request
from storage.uow import UnitOfWorkFactory
from tests.program_seed import seed

PG = os.environ.get("TEST_DATABASE_URL")


@contextlib.asynccontextmanager
async def database(engine_kind: str, tmp_path: Path, name: str) -> AsyncIterator[UnitOfWorkFactory]:
    """A fresh, migrated, empty database of the given engine."""
    async with contextlib.AsyncExitStack() as stack:
        if engine_kind == "postgres":
            if not PG:
                pytest.skip("PostgreSQL: set TEST_DATABASE_URL")
            url = await stack.enter_async_context(pg_database(PG))
        else:
            url = f"sqlite+aiosqlite:///{tmp_path}/{name}.db"
        engine = make_engine(url)
        stack.push_async_callback(engine.dispose)
        await migrate.upgrade(engine)
        yield UnitOfWorkFactory(make_sessionmaker(engine))


async def seed_everything(uow: UnitOfWorkFactory) -> None:
    await seed(uow)
    async with uow() as w:
        person = (await w.session.execute(select(Person).order_by(Person.id))).scalars().first()
        assert person is not None
        w.session.add_all(
            [
                Profile(person_id=person.id, bio="Bio with ‘quotes’ and \\ backslashes\n", expertise="k8s"),
                BadgeGrant(person_id=person.id, badge_id=105, badge_name="Ambassador", status="granted"),
                ProcessedEvent(source="discourse", key="post:1:post_created"),
                OutboxMessage(
                    key="k1",
                    kind="slack.dm",
                    payload={"user": "U1A", "data": {"nested": [1, 2.5, None, True, "ü"]}},
                    status="delivered",
                    result=None,
                    next_attempt_at=datetime(2026, 1, 1, 0, 0, 0, 999999, tzinfo=UTC),
                ),
            ]
        )


def tables_of(backup: dict[str, Any]) -> list[Any]:
    # What must survive: every table with its columns and rows (not when the backup was made).
    return json.loads(json.dumps(backup["tables"]))


DIRECTIONS = [("sqlite", "sqlite"), ("sqlite", "postgres"), ("postgres", "sqlite")]


@pytest.mark.parametrize(("source", "target"), DIRECTIONS, ids=[f"{a}-to-{b}" for a, b in DIRECTIONS])
async def test_backup_restores_exactly_on_either_engine(source: str, target: str, tmp_path: Path) -> None:
    async with database(source, tmp_path, "source") as src, database(target, tmp_path, "target") as dst:
        await seed_everything(src)
        backup = await BackupService(src, SystemClock()).dump()
        # Every table of every feature is in it, parents before children.
        assert [t["name"] for t in backup["tables"]] == [t.name for t in tables()]
        assert {t["name"] for t in backup["tables"]} == set(Base.metadata.tables)
        assert sum(len(t["rows"]) for t in backup["tables"]) > 60
        # Typed values: decimals as strings, datetimes in ISO 8601 with the zone, dates as dates.
        reqs = next(t for t in backup["tables"] if t["name"] == "requests")
        first = dict(zip(reqs["columns"], reqs["rows"][0], strict=True))
        assert first["amount"] == "100.0000" and first["on_date"] == "2026-10-01"
        assert first["created_at"] == "2026-09-01T09:00:00+00:00" and first["details"]["note"] == "✓ ñ 🚀"
        # As a file would carry it: JSON text.
        result = await BackupService(dst, SystemClock()).restore(json.loads(json.dumps(backup)))
        assert result.total == sum(len(t["rows"]) for t in backup["tables"])

        again = await BackupService(dst, SystemClock()).dump()
        assert tables_of(again) == tables_of(backup)
        # Typed values came back as the same Python values.
        async with src() as a, dst() as b:
            q = select(Request).order_by(Request.id)
            before = [
                (r.amount, r.created_at, r.on_date, r.details) for r in (await a.session.execute(q)).scalars()
            ]
            after = [
                (r.amount, r.created_at, r.on_date, r.details) for r in (await b.session.execute(q)).scalars()
            ]
        assert before == after and before[0][0] == Decimal("100.0000")
        assert after[0][1].tzinfo is not None and after[0][1].microsecond == 0
        # New rows get fresh ids after a restore (PostgreSQL sequences moved past the restored ids).
        async with dst() as b:
            newcomer = await b.people.get_or_create_slack("U0NEW", "New person")
            ids = (await b.session.execute(select(Person.id))).scalars().all()
        assert newcomer.id == max(ids) and len(ids) == len(set(ids))


async def test_restore_refuses_a_database_with_data_unless_forced(tmp_path: Path) -> None:
    async with database("sqlite", tmp_path, "db") as uow:
        await seed_everything(uow)
        service = BackupService(uow, SystemClock())
        backup = await service.dump()
        counts = await service.row_counts()
        with pytest.raises(Conflict, match="not empty"):
            await service.restore(backup)
        assert await service.row_counts() == counts  # nothing changed
        # With force: everything replaced, and still equal.
        async with uow() as w:
            w.session.add(Person(slack_user_id="U0EXTRA", display_name="Not in the backup"))
        await service.restore(backup, force=True)
        assert await service.row_counts() == counts
        assert tables_of(await service.dump()) == tables_of(backup)


async def test_a_damaged_backup_is_refused_and_changes_nothing(tmp_path: Path) -> None:
    async with database("sqlite", tmp_path, "src") as src, database("sqlite", tmp_path, "dst") as dst:
        await seed_everything(src)
        backup = await BackupService(src, SystemClock()).dump()
        target = BackupService(dst, SystemClock())

        def damaged(change: Any) -> dict[str, Any]:
            copy = json.loads(json.dumps(backup))
            change(copy)
            return copy

        people = next(t for t in backup["tables"] if t["name"] == "people")
        at = people["columns"].index("created_at")
        cases = [
            ({"format": "something else"}, "not an ambassador-bot backup"),
            (damaged(lambda b: b.update(version=99)), "version 99"),
            (damaged(lambda b: b["tables"].append({"name": "nope", "columns": [], "rows": []})), "'nope'"),
            (
                damaged(
                    lambda b: next(t for t in b["tables"] if t["name"] == "people")["rows"][0].__setitem__(
                        at, "yesterday"
                    )
                ),
                "people, row 1",
            ),
            (
                damaged(
                    lambda b: next(t for t in b["tables"] if t["name"] == "requests")["columns"].append(
                        "evil"
                    )
                ),
                "unknown column",
            ),
        ]
        for bad, message in cases:
            with pytest.raises(InvalidInput, match=message):
                await target.restore(bad)
        assert set((await target.row_counts()).values()) == {0}


def test_cli_backup_restore_and_export(tmp_path: Path) -> None:
    def config(name: str) -> Path:
        path = tmp_path / f"{name}.toml"
        path.write_text(f'[database]\nurl = "sqlite+aiosqlite:///{tmp_path}/{name}.db"\n', encoding="utf-8")
        return path

    async def prepare() -> None:
        engine = make_engine(f"sqlite+aiosqlite:///{tmp_path}/a.db")
        try:
            await migrate.upgrade(engine)
            await seed_everything(UnitOfWorkFactory(make_sessionmaker(engine)))
        finally:
            await engine.dispose()

    asyncio.run(prepare())
    runner = CliRunner()
    out = tmp_path / "backup.json"
    res = runner.invoke(cli, ["--config", str(config("a")), "backup", "--output", str(out)])
    assert res.exit_code == 0, res.output
    res = runner.invoke(cli, ["--config", str(config("b")), "restore", str(out)])
    assert res.exit_code == 0, res.output
    assert "Restored" in res.output
    # A second restore into the same database is refused; --force replaces.
    res = runner.invoke(cli, ["--config", str(config("b")), "restore", str(out)])
    assert res.exit_code != 0 and "not empty" in res.output
    res = runner.invoke(cli, ["--config", str(config("b")), "restore", str(out), "--force"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(cli, ["--config", str(config("b")), "backup"])
    assert tables_of(json.loads(res.output)) == tables_of(json.loads(out.read_text(encoding="utf-8")))

    res = runner.invoke(cli, ["--config", str(config("b")), "export", "requests", "--format", "json"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.output)
    assert [r["reference"] for r in rows][:2] == ["EX-0001", "EX-0002"] and rows[0]["amount"] == "100.00"
    csv_file = tmp_path / "ambassadors.csv"
    res = runner.invoke(cli, ["--config", str(config("b")), "export", "ambassadors", "-o", str(csv_file)])
    assert res.exit_code == 0, res.output
    assert csv_file.read_text(encoding="utf-8").splitlines()[0].startswith("ambassador_id,slack_user_id,name")
    res = runner.invoke(cli, ["--config", str(config("b")), "restore", str(tmp_path / "b.toml")])
    assert res.exit_code != 0 and "not a JSON backup" in res.output
