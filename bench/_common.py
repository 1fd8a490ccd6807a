"""Small helpers shared by the webhook and badge-grant benchmarks (not a benchmark itself)."""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import statistics
import tempfile
from collections.abc import AsyncIterator
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
