"""The whole benchmark suite in one command: every benchmark at suite size, one table, one JSON.

Run from the repository root::

    python -m bench [--quick] [--json bench/results/latest.json] [--pg ADMIN_URL | --no-pg]
                    [--only NAME,...]

Each benchmark runs as its own subprocess (``python -m bench.<name> ... --json <tmp>``), so one
benchmark's memory, threads and event loop never leak into the next, and its output is shown as it
runs (indented). Every figure in the table is a ratio against a baseline measured in the same
benchmark run on the same machine: benchmark | measure | bot | baseline | ratio.

PostgreSQL is used when ``--pg`` gives an admin URL, or by default when 127.0.0.1:5432 answers
(``--no-pg``: SQLite only). It is only used to create and drop throwaway databases.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import compare, targets
from bench._common import machine, machine_line

DEFAULT_PG = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
DEFAULT_JSON = Path(__file__).resolve().parent / "results" / "latest.json"
WEBHOOK_ARGS = ("--requests", "400", "--warmup", "40", "--concurrency", "8")


@dataclass(frozen=True)
class Bench:
    name: str  # the table's label for this run
    module: str  # bench.<module>
    args: tuple[str, ...]
    uses_pg: bool = False  # gets --pg ADMIN_URL; skipped without PostgreSQL when pg_only
    pg_only: bool = False
    db: str | None = "SQLite"  # added to the table's benchmark label (None: the rows name it)


def plan(quick: bool, pg: bool) -> list[Bench]:
    """The suite, at suite size (or ~1 minute in all with ``quick``)."""
    if quick:
        benches = [
            Bench("ack", "ack_latency", ("--requests", "40", "--warmup", "5", "--people", "5000")),
            Bench("webhooks", "webhooks", ("--requests", "100", "--warmup", "10")),
            Bench(
                "mixed-sqlite",
                "mixed_traffic",
                ("--seconds", "8", "--bare-seconds", "3", "--windows", "2", "--warmup-seconds", "2"),
            ),
            Bench("badges", "badge_grants", ("--grants", "30", "--per-minute", "600")),
            Bench(
                "reminders",
                "reminder_fanout",
                ("--n", "300", "--rate", "200", "--skip-subprocess", "--baseline-seconds", "3"),
            ),
            Bench(
                "replica-fanout",
                "replica_fanout",
                ("--n", "200", "--rate", "100", "--replicas", "2"),
                uses_pg=True,
                pg_only=True,
                db="PostgreSQL",
            ),
            Bench(
                "db-scale",
                "db_scale",
                ("--people", "10000", "--audit", "100000", "--rounds", "2"),
                uses_pg=True,
                db=None,
            ),
            Bench(
                "public-pages",
                "public_pages",
                ("--listed", "500", "--people", "5000", "--requests", "20", "--warmup", "5"),
                uses_pg=True,
                db=None,
            ),
        ]
    else:
        benches = [
            Bench("ack", "ack_latency", ("--requests", "200", "--warmup", "20")),
            Bench("webhooks", "webhooks", WEBHOOK_ARGS),
            Bench(
                "webhooks-postgresql", "webhooks", WEBHOOK_ARGS, uses_pg=True, pg_only=True, db="PostgreSQL"
            ),
            Bench(
                "mixed-sqlite",
                "mixed_traffic",
                ("--seconds", "120", "--bare-seconds", "30", "--windows", "6"),
            ),
            Bench(
                "mixed-postgresql",
                "mixed_traffic",
                ("--seconds", "40", "--bare-seconds", "10", "--windows", "2", "--warmup-seconds", "5"),
                uses_pg=True,
                pg_only=True,
                db="PostgreSQL",
            ),
            Bench("badges", "badge_grants", ("--grants", "120", "--per-minute", "600")),
            Bench(
                "reminders",
                "reminder_fanout",
                ("--n", "2000", "--rate", "200", "--skip-subprocess", "--baseline-seconds", "10"),
            ),
            Bench(
                "replica-fanout",
                "replica_fanout",
                ("--n", "1000", "--rate", "100", "--replicas", "2"),
                uses_pg=True,
                pg_only=True,
                db="PostgreSQL",
            ),
            Bench(
                "db-scale", "db_scale", ("--people", "100000", "--audit", "1000000"), uses_pg=True, db=None
            ),
            Bench(
                "public-pages", "public_pages", ("--requests", "100", "--warmup", "10"), uses_pg=True, db=None
            ),
        ]
    return [b for b in benches if pg or not b.pg_only]


# ---------------------------------------------------------------------------------------------- PostgreSQL


def pg_answers(admin_url: str, timeout: float = 2.0) -> bool:
    """True when the admin URL's server accepts a connection (asyncpg, with a short timeout)."""
    from sqlalchemy.engine import make_url

    url = make_url(admin_url)
    try:
        with socket.create_connection((url.host or "127.0.0.1", url.port or 5432), timeout=timeout):
            pass
    except OSError:
        return False

    async def probe() -> bool:
        import asyncpg  # type: ignore[import-untyped]

        dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
        try:
            conn = await asyncpg.connect(dsn, timeout=timeout)
        except Exception:
            return False
        await conn.close()
        return True

    return asyncio.run(probe())


# ---------------------------------------------------------------------------------------------- running


def run_one(bench: Bench, pg: str | None, out_dir: Path) -> dict[str, Any]:
    """Run one benchmark as a subprocess, streaming its output; returns its record."""
    json_path = out_dir / f"{bench.name}.json"
    argv = [sys.executable, "-m", f"bench.{bench.module}", *bench.args]
    if bench.uses_pg and pg is not None:
        argv += ["--pg", pg]
    shown = " ".join(argv[1:])
    argv += ["--json", str(json_path)]
    print(f"\n=== {bench.name}: {shown}", flush=True)
    started = time.perf_counter()
    with subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1
    ) as proc:
        assert proc.stdout is not None
        for line in proc.stdout:
            print(f"  | {line.rstrip()}", flush=True)
        code = proc.wait()
    seconds = time.perf_counter() - started
    record: dict[str, Any] = {"command": shown, "exit_code": code, "seconds": round(seconds, 1)}
    if code == 0 and json_path.exists():
        record["results"] = json.loads(json_path.read_text(encoding="utf-8"))
    print(
        f"=== {bench.name}: {'done' if code == 0 else f'FAILED (exit {code})'} in {seconds:.0f} s", flush=True
    )
    return record


def rows_for(bench: Bench, record: dict[str, Any]) -> list[dict[str, Any]]:
    results = record.get("results")
    if results is None:
        return [
            {
                "benchmark": bench.name,
                "measure": f"FAILED (exit {record['exit_code']})",
                "bot": None,
                "baseline": None,
                "ratio": None,
            }
        ]
    module = importlib.import_module(f"bench.{bench.module}")
    table_rows: Callable[[dict[str, Any]], list[dict[str, Any]]] = module.table_rows
    rows = table_rows(results)
    if bench.db is not None:
        for row in rows:
            row["benchmark"] = f"{row['benchmark']}, {bench.db}"
    return rows


def _strip_samples(value: Any) -> Any:
    """The suite JSON keeps summaries, not raw samples (each benchmark's own --json has those)."""
    if isinstance(value, dict):
        return {k: _strip_samples(v) for k, v in value.items() if k not in ("samples_ms", "rows")}
    if isinstance(value, list):
        return [_strip_samples(v) for v in value]
    return value


def _cell(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, int):
        return str(value)
    number = float(value)
    if abs(number) >= 100:
        return f"{number:.0f}"
    if abs(number) >= 10:
        return f"{number:.1f}"
    return f"{number:.2f}"


def _target_cell(row: dict[str, Any]) -> str:
    if "target" not in row:
        return ""
    verdict = {True: "met", False: "MISSED", None: "n/a"}[row.get("met")]
    return f"{row['target']}: {verdict}"


def format_table(rows: list[dict[str, Any]]) -> str:
    """A Markdown table, padded so it also reads well in a terminal; a sixth column gives each
    row's target (bench/targets.py) and whether this run met it."""
    with_targets = any("target" in r for r in rows)
    header: tuple[str, ...] = ("benchmark", "measure", "bot", "baseline", "ratio")
    right: tuple[bool, ...] = (False, False, True, True, True)
    if with_targets:
        header, right = (*header, "target"), (*right, False)
    cells = [
        (
            str(r["benchmark"]),
            str(r["measure"]),
            _cell(r["bot"]),
            _cell(r["baseline"]),
            "" if r["ratio"] is None else f"{r['ratio']:.2f}",
            *((_target_cell(r),) if with_targets else ()),
        )
        for r in rows
    ]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(header)]

    def line(values: tuple[str, ...]) -> str:
        padded = (v.rjust(w) if r else v.ljust(w) for v, w, r in zip(values, widths, right, strict=True))
        return "| " + " | ".join(padded) + " |"

    rule = (
        "|"
        + "|".join(
            ("-" * (w + 1) + ":") if r else ("-" * (w + 2)) for w, r in zip(widths, right, strict=True)
        )
        + "|"
    )
    return "\n".join([line(header), rule, *(line(c) for c in cells)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run of about a minute")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, help=f"default: {DEFAULT_JSON}")
    pg_group = parser.add_mutually_exclusive_group()
    pg_group.add_argument(
        "--pg",
        metavar="ADMIN_URL",
        default=None,
        help=f"PostgreSQL admin URL (default: {DEFAULT_PG} if it answers)",
    )
    pg_group.add_argument("--no-pg", action="store_true", help="SQLite only")
    parser.add_argument("--only", default=None, help="comma-separated benchmark names to run (see the plan)")
    parser.add_argument(
        "--compare",
        metavar="OLD.json",
        type=Path,
        default=None,
        help="after the run, print each row's change against an earlier results file",
    )
    args = parser.parse_args(argv)

    old_results = compare.load(args.compare) if args.compare is not None else None
    started = time.perf_counter()
    pg: str | None = None
    if args.pg is not None:
        if not pg_answers(args.pg):
            parser.error(f"PostgreSQL at {args.pg} does not answer")
        pg = args.pg
    elif not args.no_pg and pg_answers(DEFAULT_PG):
        pg = DEFAULT_PG
    benches = plan(args.quick, pg is not None)
    if args.only:
        wanted = {n.strip() for n in args.only.split(",")}
        unknown = wanted - {b.name for b in benches}
        if unknown:
            what = "benchmark" if len(unknown) == 1 else "benchmarks"
            parser.error(f"unknown {what} {sorted(unknown)}; the plan has {[b.name for b in benches]}")
        benches = [b for b in benches if b.name in wanted]
    when = datetime.now(UTC)
    print(
        f"benchmark suite{' (quick)' if args.quick else ''}: {', '.join(b.name for b in benches)}; "
        f"PostgreSQL: {'yes' if pg else 'no (SQLite only)'}; {machine_line()}; "
        f"load average {', '.join(f'{x:.2f}' for x in os.getloadavg())}",
        flush=True,
    )
    records: dict[str, dict[str, Any]] = {}
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="bench-suite-") as tmp:
        for bench in benches:
            record = run_one(bench, pg, Path(tmp))
            records[bench.name] = record
            with contextlib.suppress(KeyError, TypeError, ValueError):
                record["rows"] = rows_for(bench, record)
            rows.extend(record.get("rows") or rows_for(bench, {"exit_code": "no rows"}))
    total = time.perf_counter() - started
    met, with_target = targets.apply(rows)
    table = format_table(rows)
    print(f"\nbenchmark suite, {when:%Y-%m-%d %H:%M} UTC, {machine_line()}; total {total:.0f} s\n")
    print(table)
    print(f"\ntargets met: {met} of {with_target} rows that have one (bench/targets.py)")
    failed = [name for name, r in records.items() if r["exit_code"] != 0]
    out = {
        "date": when.isoformat(timespec="seconds"),
        "quick": args.quick,
        "postgresql": pg is not None,
        "machine": machine(),
        "load_average_at_end": os.getloadavg(),
        "total_seconds": round(total, 1),
        "rows": rows,
        "table_markdown": table,
        "benchmarks": {
            name: {
                **{k: v for k, v in r.items() if k not in ("results", "rows")},
                "results": _strip_samples(r.get("results")),
            }
            for name, r in records.items()
        },
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(out, indent=2, default=str) + "\n", encoding="utf-8")
    print(f"\ntotal {total:.0f} s ({total / 60:.1f} min); results written to {args.json}")
    if old_results is not None:
        print()
        print(
            compare.format_comparison(
                compare.compare(old_results, out), compare.label(args.compare, old_results), "this run"
            )
        )
    if _is_full_record(args, failed) and pg is not None and args.json.resolve() == DEFAULT_JSON.resolve():
        # The README's table is always the latest full run (bench/readme.py).
        from bench import readme

        readme.update(args.json)
        print(f"README.md's performance table rewritten from {args.json}")
    if failed:
        print(f"FAILED: {', '.join(failed)}")
    return 1 if failed else 0


def _is_full_record(args: argparse.Namespace, failed: list[str]) -> bool:
    """A run the README may show: every benchmark of the plan, at suite size, none failed (and,
    checked by the caller, PostgreSQL's rows included)."""
    return not args.quick and not args.only and not failed
