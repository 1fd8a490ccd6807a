"""`ambassador-bot export groups --format json` (issue 16, point 6): the rows of the CSV export as
typed JSON, through a real database (SQLite, and PostgreSQL with TEST_DATABASE_URL), and the line
that says what was written counts "1 user group" / "3 user groups"."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from pathlib import Path

from click.testing import CliRunner, Result
from sqlalchemy import delete, update

from bot.cli import main
from storage.db import make_engine, make_sessionmaker
from storage.groups import UserGroup
from storage.migrate import upgrade
from storage.uow import UnitOfWorkFactory
from tests.program_seed import seed


async def _seeded(db_url: str, keep_only_first: bool = False) -> None:
    engine = make_engine(db_url)
    try:
        await upgrade(engine)
        uow = UnitOfWorkFactory(make_sessionmaker(engine))
        await seed(uow)
        async with uow() as u:  # map coordinates for one group (the seed's bulk insert has none)
            await u.session.execute(
                update(UserGroup)
                .where(UserGroup.requested_name == "tokyo")
                .values(latitude=35.6895, longitude=139.69171)
            )
        if keep_only_first:
            async with uow() as u:
                await u.session.execute(delete(UserGroup).where(UserGroup.title != "Kubernetes Lisboa"))
    finally:
        await engine.dispose()


async def _cli(config: Path, *args: str) -> Result:
    return await asyncio.to_thread(
        CliRunner().invoke, main, ["export", "groups", *args, "--config", str(config)], catch_exceptions=False
    )


def _config(tmp_path: Path, db_url: str) -> Path:
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\nurl = "{db_url}"\n', encoding="utf-8")
    return config


async def test_json_has_the_csv_rows_with_typed_values(db_url: str, tmp_path: Path) -> None:
    await _seeded(db_url)
    config = _config(tmp_path, db_url)

    printed = await _cli(config, "--format", "json")
    assert printed.exit_code == 0, printed.output
    rows = json.loads(printed.output)
    as_csv = list(csv.DictReader(io.StringIO((await _cli(config)).output)))
    assert [(r["id"], r["title"], r["status"]) for r in rows] == [
        (int(c["id"]), c["title"], c["status"]) for c in as_csv
    ]
    tokyo = next(r for r in rows if r["requested_name"] == "tokyo")
    assert tokyo["title"] == "Kubernetes 東京"  # unicode as itself, not \u escapes
    assert "東京" in printed.output
    assert (tokyo["latitude"], tokyo["longitude"]) == (35.6895, 139.69171)  # numbers, not strings
    assert tokyo["mentor_slack_id"] is None and tokyo["organisers"] == [] and tokyo["decided_at"] is None
    assert tokyo["submitted_at"].endswith("+00:00")  # ISO 8601 in UTC, with the zone
    assert set(rows[0]) >= {"handover_done", "handover_steps", "requester_slack_id", "official_at"}

    out = tmp_path / "groups.json"
    written = await _cli(config, "--format", "json", "--output", str(out))
    assert written.exit_code == 0, written.output
    assert f"Wrote 3 user groups (JSON) to {out}." in written.output
    assert json.loads(out.read_text(encoding="utf-8")) == rows


async def test_one_group_is_one_user_group(db_url: str, tmp_path: Path) -> None:
    await _seeded(db_url, keep_only_first=True)
    config = _config(tmp_path, db_url)
    for fmt in ("json", "csv"):
        out = tmp_path / f"groups.{fmt}"
        result = await _cli(config, "--format", fmt, "-o", str(out))
        assert result.exit_code == 0, result.output
        assert f"Wrote 1 user group ({fmt.upper()}) to {out}." in result.output


async def test_an_unknown_format_is_one_line_and_writes_nothing(db_url: str, tmp_path: Path) -> None:
    await _seeded(db_url)
    out = tmp_path / "groups.xml"
    result = await _cli(_config(tmp_path, db_url), "--format", "xml", "-o", str(out))
    assert result.exit_code == 2
    assert "'xml' is not one of 'csv', 'json'" in result.output
    assert not out.exists()
