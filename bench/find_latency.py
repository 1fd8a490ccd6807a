"""Latency of `/ambassador find` over a large community, next to a baseline from the same run.

Run from the repository root::

    python -m bench.find_latency [--people 100000] [--ambassadors 2000] [--requests 200]
                                 [--pg postgresql+asyncpg://postgres@127.0.0.1:5432/test]

For each database (SQLite in a temp dir; PostgreSQL too when --pg gives an admin URL, used only to
create and drop a throwaway database) it bulk-loads N people, of whom the first ~2 000 are active
ambassadors with directory profiles (plus 10 % as many alumni with profiles, which must never be
found), then measures:

- the service call `ProfileService.find("kubernetes berlin")`, next to `ApplicationService.status`
  (one indexed read) as the in-process baseline;
- the whole HTTP round trip of the signed slash command `/ambassador find kubernetes berlin`, next
  to `/ambassador help` (no database work) as the HTTP baseline.

Requests alternate between target and baseline in blocks (ABBA). Nothing is asserted on time; the
ranking itself is checked by tests/bot/program/test_directory_ranking.py.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import platform
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

from sqlalchemy import func, select

from bench._common import pct
from bot.program.text import plural
from bot.sandbox.harness.directory_seed import bulk_seed, synthetic
from bot.sandbox.harness.stack import ALICE, pg_database, start_stack
from storage import migrate
from storage.db import make_engine
from storage.models import Ambassador, Person
from storage.profiles import Profile

QUERY = "kubernetes berlin"


@dataclass
class Series:
    name: str
    samples: list[float] = field(default_factory=list)

    def line(self) -> str:
        ms = sorted(s * 1000 for s in self.samples)
        return f"{self.name:<44} n={len(ms):>4}  p50 {pct(ms, 0.5):8.2f} ms  p99 {pct(ms, 0.99):8.2f} ms"


async def _pair(
    a: Series, fa: Callable[[], Awaitable[None]], b: Series, fb: Callable[[], Awaitable[None]], n: int
) -> None:
    block = 10
    for i in range(0, n, block):
        order = [(a, fa), (b, fb)] if (i // block) % 2 == 0 else [(b, fb), (a, fa)]
        for series, fn in order:
            for _ in range(min(block, n - i)):
                started = time.perf_counter()
                await fn()
                series.samples.append(time.perf_counter() - started)


@contextlib.asynccontextmanager
async def _databases(pg: str | None) -> AsyncIterator[list[tuple[str, str]]]:
    with tempfile.TemporaryDirectory(prefix="find-bench-") as tmp:
        dbs = [(f"sqlite+aiosqlite:///{tmp}/bot.db", "sqlite")]
        if pg is None:
            yield dbs
            return
        async with pg_database(pg) as url:
            yield [*dbs, (url, "postgresql")]


async def _seed(url: str, people: int, ambassadors: int) -> tuple[float, dict[str, int]]:
    engine = make_engine(url)
    try:
        await migrate.upgrade(engine)
        started = time.perf_counter()
        await bulk_seed(engine, synthetic(people, ambassadors, alumni=ambassadors // 10), batch=5000)
        seconds = time.perf_counter() - started
        async with engine.connect() as conn:
            counts = {
                "people": (await conn.execute(select(func.count()).select_from(Person))).scalar_one(),
                "active ambassadors": (
                    await conn.execute(select(func.count()).where(Ambassador.status == "active"))
                ).scalar_one(),
                "profiles": (await conn.execute(select(func.count()).select_from(Profile))).scalar_one(),
            }
        return seconds, counts
    finally:
        await engine.dispose()


async def run_one(url: str, label: str, args: argparse.Namespace) -> None:
    seconds, counts = await _seed(url, args.people, args.ambassadors)
    print(f"\n== {label}: seeded {counts} in {seconds:.1f} s")
    async with start_stack(url, outbox={"poll_seconds": 1.0}) as stack:
        services = stack.runtime.services
        result = await services.profiles.find(QUERY)
        print(
            f"`find {QUERY}`: {result.total} matching active ambassadors, top score {result.hits[0].score}, "
            f"shown {len(result.hits)}: {', '.join(h.name for h in result.hits[:3])}, …"
        )
        if any(not h.name or h.slack_user_id is None for h in result.hits):
            raise RuntimeError("find returned an incomplete hit")

        async def find_call() -> None:
            await services.profiles.find(QUERY)

        async def status_call() -> None:
            await services.applications.status(ALICE)

        async def find_http() -> None:
            resp = await stack.actor.slash(ALICE, f"find {QUERY}")
            if resp.status_code != 200 or "Ambassadors for" not in resp.text:
                raise RuntimeError(f"find over HTTP answered {resp.status_code}: {resp.text[:120]}")

        async def help_http() -> None:
            resp = await stack.actor.slash(ALICE, "help")
            if resp.status_code != 200:
                raise RuntimeError(f"help over HTTP answered {resp.status_code}")

        for fn in (find_call, status_call, find_http, help_http):  # warm-up
            for _ in range(args.warmup):
                await fn()
        service, base_service = (
            Series("service: profiles.find(kubernetes berlin)"),
            Series("baseline service: applications.status"),
        )
        http, base_http = (
            Series("HTTP: /ambassador find kubernetes berlin"),
            Series("baseline HTTP: /ambassador help"),
        )
        await _pair(service, find_call, base_service, status_call, args.requests)
        await _pair(http, find_http, base_http, help_http, args.requests)
        for s in (service, base_service, http, base_http):
            print(s.line())
        ratio = pct(sorted(http.samples), 0.5) / pct(sorted(base_http.samples), 0.5)
        print(f"p50 ratio HTTP find/help = {ratio:.2f}")
        if stack.actor.problems:
            print(f"{plural(len(stack.actor.problems), 'request')} took longer than Slack's 3 s ack deadline")


async def run(args: argparse.Namespace) -> None:
    print(
        f"find latency; python {platform.python_version()} on {platform.system()} {platform.machine()}; "
        f"{args.people} people, {args.ambassadors} active ambassadors, {args.requests} requests per series"
    )
    async with _databases(args.pg) as dbs:
        for url, label in dbs:
            await run_one(url, label, args)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.find_latency", description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--ambassadors", type=int, default=2_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--pg", default=None, help="PostgreSQL admin URL; a throwaway database is used")
    args = parser.parse_args(argv)
    try:
        asyncio.run(run(args))
    except RuntimeError as exc:
        print(f"benchmark could not run: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
