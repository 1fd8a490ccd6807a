"""Small helpers the benchmarks share (not a benchmark itself): the database to run on, percentiles,
the machine line, the common command-line options and the end of every ``main``. The processes a
benchmark starts are the harness's (``bot.sandbox.harness.procs.ServerProcess``)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import statistics
import sys
import tempfile
from collections.abc import AsyncIterator, Callable, Coroutine
from pathlib import Path
from typing import Any

from bot.sandbox.harness.stack import pg_database


@contextlib.asynccontextmanager
async def database(pg_admin_url: str | None, prefix: str) -> AsyncIterator[tuple[str, str]]:
    """Yield (url, label): SQLite in a temp dir, or a throwaway PostgreSQL database."""
    if pg_admin_url is None:
        with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
            yield f"sqlite+aiosqlite:///{tmp}/bot.db", "sqlite (temp file)"
        return
    async with pg_database(pg_admin_url) as url:
        yield url, "postgresql (throwaway database)"


def pct(sorted_values: list[float], q: float) -> float:
    """Percentile by linear interpolation between closest ranks (input must be sorted)."""
    if len(sorted_values) == 1:
        return sorted_values[0]
    pos = (len(sorted_values) - 1) * q
    lo = int(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def latency_summary(samples_s: list[float]) -> dict[str, Any]:
    ms = sorted(s * 1000 for s in samples_s)
    if not ms:
        return {"n": 0}
    return {
        "n": len(ms),
        "p50_ms": pct(ms, 0.50),
        "p90_ms": pct(ms, 0.90),
        "p99_ms": pct(ms, 0.99),
        "max_ms": ms[-1],
        "mean_ms": statistics.fmean(ms),
    }


def machine() -> dict[str, Any]:
    return {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count()}


def machine_line() -> str:
    return (
        f"python {platform.python_version()} on {platform.system()} {platform.machine()}, "
        f"{os.cpu_count()} CPUs"
    )


def print_header(header: str, *, blank_line: bool = False) -> None:
    """A table's header line, underlined to its width (after an empty line when asked)."""
    if blank_line:
        print()
    print(header)
    print("-" * len(header))


def positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or b <= 0:
        return None
    return a / b


def fmt(value: float | None, spec: str = ".2f") -> str:
    return "n/a" if value is None else format(value, spec)


Option = tuple[str, Callable[[str], Any] | None, Any, str]


def add_options(parser: argparse.ArgumentParser, *options: Option) -> None:
    """Options from a table of (flag, type, default, help); a type of None is a store_true flag."""
    for flag, kind, default, text in options:
        if kind is None:
            parser.add_argument(flag, action="store_true", help=text or None)
        else:
            parser.add_argument(flag, type=kind, default=default, help=text)


def add_pg_json(
    parser: argparse.ArgumentParser, pg_help: str, json_help: str = "also write the results here"
) -> None:
    """The --pg ADMIN_URL and --json PATH options most benchmarks take."""
    parser.add_argument("--pg", metavar="ADMIN_URL", default=None, help=pg_help)
    parser.add_argument("--json", type=Path, default=None, help=json_help)


def finish(
    benchmark: Coroutine[Any, Any, Any],
    json_path: Path | None,
    errors: tuple[type[Exception], ...] = (RuntimeError, OSError),
) -> int:
    """Run the benchmark; exit 2 with the reason if it could not run, else write the results to
    `json_path` when given and exit 0."""
    try:
        results = asyncio.run(benchmark)
    except errors as exc:
        print(f"benchmark could not run: {exc}", file=sys.stderr)
        return 2
    if json_path is not None:
        json_path.write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
        print(f"\nresults written to {json_path}")
    return 0
