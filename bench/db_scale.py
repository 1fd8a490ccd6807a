"""Database scale: the bot's heaviest reads on 100 000 people and 1 000 000 audit rows.

Run from the repository root::

    python -m bench.db_scale [--people 100000] [--audit 1000000] [--pg ADMIN_URL] [--json PATH]

For each database (SQLite in a temp dir; PostgreSQL too when ``--pg`` gives an admin URL, used only
to create and drop throwaway databases) it migrates a fresh database, bulk-loads a synthetic
program with the driver's fast path (sqlite3 ``executemany`` in one transaction; asyncpg
``copy_records_to_table``), then times, through the bot's own services:

- ``find``: ``ProfileService.find("kubernetes berlin")`` (the directory search);
- ``sweep``: ``ReminderService.sweep()`` in the steady state (every due reminder already decided,
  which is what the scheduler runs every 30 s);
- ``report``: ``ReportService.build()`` (the moderators' report, without the chart);
- ``audit``: ``AuditService.about(moderator, @user)`` (``/ambassador audit @user``);

each next to a single primary-key read (``PersonRepo.get``) timed in the same rounds, and the same
operations on a small database (1 000 people, 10 000 audit rows) loaded the same way, for the
growth factor. Nothing is asserted on time.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy.engine import make_url

from bench._common import add_pg_json, finish, fmt, machine, machine_line, positive, print_header, ratio
from bench.synthetic import CHUNK, TABLES, Program, Row, scales
from bot.runtime import Runtime, build_runtime
from bot.sandbox.harness.stack import MOD, pg_database, test_settings
from storage import migrate
from storage.db import make_engine

QUERY = "kubernetes berlin"
DB_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
SLOW_MS = 200.0  # an operation slower than this at scale is called out


def _chunks(rows: Iterator[Row], size: int) -> Iterator[list[Row]]:
    chunk: list[Row] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# ---------------------------------------------------------------------------------------------- loading


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, datetime):  # as SQLAlchemy stores UTCDateTime on SQLite (naive UTC)
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
    return value


def _load_sqlite(path: str, program: Program) -> dict[str, int]:
    counts: dict[str, int] = {}
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        with conn:
            for table, rows in program.tables():
                cols = TABLES[table]
                sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
                counts[table] = 0
                for chunk in _chunks(rows, CHUNK):
                    conn.executemany(sql, [tuple(_sqlite_value(v) for v in row) for row in chunk])
                    counts[table] += len(chunk)
    finally:
        conn.close()
    return counts


async def _load_pg(url: str, program: Program) -> dict[str, int]:
    counts: dict[str, int] = {}
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    conn = await asyncpg.connect(dsn)
    try:
        async with conn.transaction():
            for table, rows in program.tables():
                counts[table] = 0
                for chunk in _chunks(rows, CHUNK):
                    await conn.copy_records_to_table(table, records=chunk, columns=list(TABLES[table]))
                    counts[table] += len(chunk)
                await conn.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
                )
        # Production PostgreSQL has statistics (autovacuum analyzes a table this size soon after
        # the load). SQLite gets none: the bot never runs ANALYZE there.
        await conn.execute("ANALYZE")
    finally:
        await conn.close()
    return counts


async def load(url: str, program: Program) -> tuple[float, float, dict[str, int]]:
    """Migrate, then bulk-load; returns (migrate seconds, load seconds, rows per table)."""
    started = time.perf_counter()
    engine = make_engine(url)
    try:
        await migrate.upgrade(engine)
    finally:
        await engine.dispose()
    migrated = time.perf_counter()
    if url.startswith("sqlite"):
        path = make_url(url).database
        assert path is not None
        counts = await asyncio.to_thread(_load_sqlite, path, program)
    else:
        counts = await _load_pg(url, program)
    return migrated - started, time.perf_counter() - migrated, counts


# ---------------------------------------------------------------------------------------------- timing


@dataclass
class Op:
    name: str
    what: str
    call: Callable[[], Awaitable[Any]]
    repeat: int
    samples: list[float]


def _median_ms(samples: Sequence[float]) -> float:
    return statistics.median(samples) * 1000


async def _runtime(url: str) -> Runtime:
    dead = "http://127.0.0.1:9"  # nothing here calls Slack or the forum
    settings = test_settings(url, dead, dead)
    return await build_runtime(settings, auto_migrate=False)


async def measure(url: str, program: Program, rounds: int) -> dict[str, Any]:
    runtime = await _runtime(url)
    services = runtime.services
    try:
        people = program.scale.people
        counter = [0]

        async def pk_read() -> None:
            counter[0] += 1
            pid = (counter[0] * 104_729) % people + 1
            async with runtime.uow() as uow:
                if await uow.people.get(pid) is None:
                    raise RuntimeError(f"person {pid} is missing")

        target = program.slack_id(max(program.scale.active // 3, 1))

        async def find() -> Any:
            return await services.profiles.find(QUERY)

        async def sweep() -> Any:
            return await services.reminders.sweep()

        async def report() -> Any:
            return await services.reports.build()

        async def audit() -> Any:
            return await services.audit.about(MOD, target)

        # One of each first, unmeasured: warms caches, and checks the steady state.
        found = await find()
        first_sweep = await sweep()
        rep = await report()
        about = await audit()
        checks = {
            "find_total": found.total,
            "find_shown": len(found.hits),
            "warmup_sweep_decided": len(first_sweep.sent) + len(first_sweep.skipped),
            "report_active": rep.ambassadors_by_status.get("active", 0),
            "report_lapsed": rep.lapsed,
            "report_renewals_due_90_days": rep.renewals_due_90_days,
            "audit_lines": len(about.lines),
        }
        ops = [
            Op("pk read", "PersonRepo.get (baseline)", pk_read, 10, []),
            Op("find", f"ProfileService.find({QUERY!r})", find, 3, []),
            Op("sweep", "ReminderService.sweep() (steady state)", sweep, 1, []),
            Op("report", "ReportService.build()", report, 1, []),
            Op("audit", "AuditService.about(@user)", audit, 3, []),
        ]
        for i in range(rounds):
            for op in ops if i % 2 == 0 else list(reversed(ops)):
                for _ in range(op.repeat):
                    started = time.perf_counter()
                    await op.call()
                    op.samples.append(time.perf_counter() - started)
        return {
            "checks": checks,
            "ops": {
                op.name: {
                    "what": op.what,
                    "n": len(op.samples),
                    "p50_ms": _median_ms(op.samples),
                    "min_ms": min(op.samples) * 1000,
                    "max_ms": max(op.samples) * 1000,
                }
                for op in ops
            },
        }
    finally:
        await runtime.close()


@contextlib.asynccontextmanager
async def _database(kind: str, pg: str | None, tmp: str, name: str) -> AsyncIterator[str]:
    if kind == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp}/{name}.db"
        return
    assert pg is not None
    async with pg_database(pg) as url:
        yield url


async def run(args: argparse.Namespace) -> dict[str, Any]:
    now = datetime.now(UTC)
    dead = "http://127.0.0.1:9"
    r = test_settings("sqlite+aiosqlite://", dead, dead).reminders
    kinds = ["sqlite"] + (["postgresql"] if args.pg else [])
    print(
        f"database scale: {args.people} people / {args.audit} audit rows vs a small database; "
        f"{', '.join(kinds)}; {machine_line()}",
        flush=True,
    )
    programs = [Program(s, now, r.digest_weekday, r.digest_hour_utc) for s in scales(args.people, args.audit)]
    results: dict[str, Any] = {
        "config": {
            "scales": [vars(p.scale) for p in programs],
            "rounds": args.rounds,
            "query": QUERY,
            **machine(),
        },
        "databases": {},
    }
    with tempfile.TemporaryDirectory(prefix="db-scale-") as tmp:
        for kind in kinds:
            per_db: dict[str, Any] = {}
            for program in programs:
                async with _database(kind, args.pg, tmp, program.scale.label) as url:
                    migrate_s, load_s, counts = await load(url, program)
                    print(
                        f"  {kind} {program.scale.label}: migrated in {migrate_s:.1f} s, loaded "
                        f"{sum(counts.values())} rows in {load_s:.1f} s ({counts['people']} people, "
                        f"{counts['audit_log']} audit rows)",
                        flush=True,
                    )
                    rounds = args.rounds if program.scale.label == "large" else max(args.rounds, 5)
                    measured = await measure(url, program, rounds)
                    measured.update(migrate_s=migrate_s, load_s=load_s, rows=counts)
                    per_db[program.scale.label] = measured
            results["databases"][kind] = per_db
    results["rows"] = table_rows(results)
    _print(results)
    return results


def _count(n: int) -> str:
    return f"{n / 1_000_000:g}M" if n >= 1_000_000 else f"{n / 1000:g}k" if n >= 1000 else str(n)


def table_rows(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Rows for the suite's table: op vs the PK read (ratio), plus the growth factor."""
    rows: list[dict[str, Any]] = []
    for kind, per_db in results["databases"].items():
        large, small = per_db["large"], per_db["small"]
        people, audit = large["rows"]["people"], large["rows"]["audit_log"]
        factor = people / small["rows"]["people"]
        name = f"db scale {_count(people)} people / {_count(audit)} audit, {DB_NAMES.get(kind, kind)}"
        pk = large["ops"]["pk read"]["p50_ms"]
        for op_name in ("find", "sweep", "report", "audit"):
            op = large["ops"][op_name]["p50_ms"]
            rows.append(
                {
                    "benchmark": name,
                    "measure": f"{op_name} p50 ms vs pk read",
                    "bot": op,
                    "baseline": pk,
                    "ratio": ratio(op, pk),
                }
            )
            before = small["ops"][op_name]["p50_ms"]
            rows.append(
                {
                    "benchmark": name,
                    "measure": f"{op_name} p50 ms vs {factor:g}x smaller db",
                    "bot": op,
                    "baseline": before,
                    "ratio": ratio(op, before),
                }
            )
    return rows


def _print(results: dict[str, Any]) -> None:
    for kind, per_db in results["databases"].items():
        large, small = per_db["large"], per_db["small"]
        print(
            f"\n{kind}: large {large['rows']['people']} people / {large['rows']['audit_log']} audit rows, "
            f"small {small['rows']['people']} / {small['rows']['audit_log']}"
        )
        header = (
            f"{'op':<8} {'large p50':>10} {'/pk read':>9} {'small p50':>10} {'growth':>7} {'max ms':>9}  what"
        )
        print_header(header)
        pk = large["ops"]["pk read"]["p50_ms"]
        for name, op in large["ops"].items():
            s = small["ops"][name]["p50_ms"]
            flag = "  <-- slow at scale" if op["p50_ms"] > SLOW_MS else ""
            print(
                f"{name:<8} {op['p50_ms']:>10.2f} {fmt(ratio(op['p50_ms'], pk), '.1f'):>9} {s:>10.2f} "
                f"{fmt(ratio(op['p50_ms'], s), '.1f'):>7} {op['max_ms']:>9.2f}  {op['what']}{flag}"
            )
        print(f"checks (large): {large['checks']}")
        if large["checks"]["warmup_sweep_decided"]:
            print("  note: the warm-up sweep decided reminders, so the data was not in the steady state")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.db_scale", description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=positive, default=100_000)
    parser.add_argument("--audit", type=positive, default=1_000_000, help="audit_log rows (large database)")
    parser.add_argument("--rounds", type=positive, default=4, help="measuring rounds (ABBA over the ops)")
    add_pg_json(
        parser,
        "PostgreSQL admin URL; throwaway databases are created and dropped (default: SQLite only)",
    )
    args = parser.parse_args(argv)
    return finish(run(args), args.json)


if __name__ == "__main__":
    sys.exit(main())
