"""The public directory page (/program/ambassadors) for a large program, next to a bare baseline
measured in the same run.

Run from the repository root::

    python -m bench.public_pages [--listed 2000] [--people 20000] [--requests 200]
                                 [--pg ADMIN_URL] [--json /tmp/public_pages.json]

It bulk-loads `--people` people, of whom the first `--listed` are active ambassadors listed on the
public directory with every field shown (plus 10 % as many alumni, listed too, who must never
appear), starts the bot in-process over real HTTP, and measures, alternating in blocks (ABBA):

- `GET /program/ambassadors` (the whole directory: one query, then the template) next to the
  baseline, a bare Starlette route on its own uvicorn server returning a static HTML body of the
  same size (so HTTP, the socket and the transfer of the bytes cost the same on both sides);
- the same page answered 304 (If-None-Match: only the directory's version is read) and a search
  (`?q=kubernetes berlin`), next to the same baseline;
- in-process, without HTTP: a cold page, the data (`directory`: the query and the field choices)
  and the rendering (`directory_page`) with no entry remembered, next to rendering the same data
  again (entries remembered) — the cost of a page right after the directory changed.

The HTTP page series are warm: after the first request a page is kept by its ETag (bot/web/cache.py),
so a request costs the version query and the bytes.

Nothing is asserted on time; what the page shows is checked by tests/e2e/test_public_pages.py.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import update
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bench._common import (
    add_options,
    add_pg_json,
    database,
    finish,
    latency_summary,
    machine,
    machine_line,
    pct,
)
from bot.program.public.directory import directory
from bot.sandbox.harness.directory_seed import bulk_seed, synthetic
from bot.sandbox.harness.stack import start_stack
from bot.sandbox.http import serve_asgi
from bot.web.render import directory_page, entry_html
from storage import migrate
from storage.db import make_engine
from storage.models import Ambassador
from storage.profiles import Profile

QUERY = "kubernetes berlin"
ALL = "name,location,expertise,help_with,contact,home_group"
OPTIONS = (
    ("--listed", int, 2000, "active ambassadors listed on the public directory"),
    ("--people", int, 20_000, "people in the database in all"),
    ("--requests", int, 200, "requests per series"),
    ("--warmup", int, 20, "warm-up requests per series"),
)

Call = Callable[[], Awaitable[None]]


async def _seed(url: str, people: int, listed: int) -> None:
    engine = make_engine(url)
    try:
        await migrate.upgrade(engine)
        await bulk_seed(engine, synthetic(people, listed, alumni=listed // 10), batch=5000)
        async with engine.begin() as conn:  # everyone with a profile opts in, alumni included
            await conn.execute(update(Profile).values(public_listed=True, public_fields=ALL))
            # Terms far from their end: no renewal reminder or lapse runs (or changes the
            # directory) while the pages are measured.
            far = datetime.now(UTC) + timedelta(days=3 * 365)
            await conn.execute(update(Ambassador).values(term_end=far))
    finally:
        await engine.dispose()


@contextlib.asynccontextmanager
async def _baseline(body: bytes) -> AsyncIterator[str]:
    """A bare Starlette app answering GET / with `body` (the page's size) as HTML."""

    async def page(request: Request) -> Response:
        return Response(
            body, media_type="text/html; charset=utf-8", headers={"Cache-Control": "public, max-age=60"}
        )

    async with serve_asgi(Starlette(routes=[Route("/", page)]), lifespan="off") as url:
        yield url


async def _pair(a: list[float], fa: Call, b: list[float], fb: Call, n: int) -> None:
    block = 10
    for i in range(0, n, block):
        order = [(a, fa), (b, fb)] if (i // block) % 2 == 0 else [(b, fb), (a, fa)]
        for samples, fn in order:
            for _ in range(min(block, n - i)):
                started = time.perf_counter()
                await fn()
                samples.append(time.perf_counter() - started)


def _getter(client: httpx.AsyncClient, url: str, status: int, **headers: str) -> Call:
    async def call() -> None:
        resp = await client.get(url, headers=headers)
        if resp.status_code != status:
            raise RuntimeError(f"GET {url} answered {resp.status_code}, not {status}")

    return call


async def run_one(url: str, label: str, args: argparse.Namespace) -> dict[str, Any]:
    await _seed(url, args.people, args.listed)
    out: dict[str, Any] = {"database": label}
    async with start_stack(url, outbox={"poll_seconds": 1.0}) as stack, httpx.AsyncClient() as client:
        page_url = f"{stack.bot_url}/program/ambassadors"
        first = await client.get(page_url)
        shown = first.text.count('<li class="ambassador">')
        if first.status_code != 200 or shown != args.listed:
            raise RuntimeError(
                f"the page shows {shown} people (status {first.status_code}), not {args.listed}"
            )
        tag = first.headers["etag"]
        out["page_bytes"] = len(first.content)
        async with _baseline(first.content) as base_url:
            series: dict[str, Call] = {
                "page": _getter(client, page_url, 200),
                "page_304": _getter(client, page_url, 304, **{"If-None-Match": tag}),
                "search": _getter(client, f"{page_url}?q={QUERY.replace(' ', '+')}", 200),
                "baseline": _getter(client, base_url + "/", 200),
            }
            for fn in series.values():
                for _ in range(args.warmup):
                    await fn()
            samples: dict[str, list[float]] = {k: [] for k in series if k != "baseline"}
            base = series["baseline"]
            for key in ("page", "page_304", "search"):
                runs: list[float] = []
                await _pair(samples[key], series[key], runs, base, args.requests)
                samples[f"baseline_for_{key}"] = runs
        settings = stack.runtime.settings

        async def data() -> Any:
            async with stack.runtime.uow() as uow:
                return await directory(uow, settings)

        listing = await data()

        async def data_and_render() -> None:  # cold: nothing remembered
            entry_html.cache_clear()
            directory_page(settings, await data())

        async def render_only() -> None:
            directory_page(settings, listing)

        whole: list[float] = []
        render: list[float] = []
        await _pair(whole, data_and_render, render, render_only, max(20, args.requests // 4))
        samples["in_process_data_and_render"], samples["in_process_render"] = whole, render

    summary = {k: latency_summary(v) for k, v in samples.items()}
    out["latency"] = summary
    out["ratios_p50"] = {
        key: pct(sorted(samples[key]), 0.5) / pct(sorted(samples[f"baseline_for_{key}"]), 0.5)
        for key in ("page", "page_304", "search")
    }
    out["ratios_p50"]["data_and_render/render"] = pct(sorted(whole), 0.5) / pct(sorted(render), 0.5)
    print(f"\n== {label}: {args.listed} listed of {args.people} people; page {out['page_bytes']} bytes")
    for key, s in summary.items():
        print(f"{key:<32} n={s['n']:>4}  p50 {s['p50_ms']:8.2f} ms  p99 {s['p99_ms']:8.2f} ms")
    for key, r in out["ratios_p50"].items():
        print(f"p50 ratio {key:<28} {r:6.2f}")
    return out


async def run(args: argparse.Namespace) -> dict[str, Any]:
    print(f"public pages; {machine_line()}; {args.requests} requests per series")
    results: dict[str, Any] = {
        "machine": machine(),
        "args": {k: v for k, v in vars(args).items() if k != "json"},
    }
    runs = []
    async with database(None, "public-pages-") as (url, label):
        runs.append(await run_one(url, label, args))
    if args.pg:
        async with database(args.pg, "public-pages-") as (url, label):
            runs.append(await run_one(url, label, args))
    results["runs"] = runs
    return results


def table_rows(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Rows for the suite's table: the served page ÷ a bare static page of the same size, and the
    page right after a change (data + render, in-process) ÷ rendering the same data again."""
    rows: list[dict[str, Any]] = []
    listed = results["args"]["listed"]
    for run_ in results["runs"]:
        db = "PostgreSQL" if run_["database"].startswith("postgresql") else "SQLite"
        name = f"public pages, {listed} listed, {db}"
        lat = run_["latency"]
        pairs = (
            ("page p50 ms vs bare static page", "page", "baseline_for_page"),
            ("search p50 ms vs bare static page", "search", "baseline_for_search"),
            ("cold render p50 ms vs warm render", "in_process_data_and_render", "in_process_render"),
        )
        for measure, bot, base in pairs:
            b, r = lat[bot]["p50_ms"], lat[base]["p50_ms"]
            rows.append({"benchmark": name, "measure": measure, "bot": b, "baseline": r, "ratio": b / r})
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.public_pages", description=__doc__.split("\n")[0])
    add_options(parser, *OPTIONS)
    add_pg_json(parser, "PostgreSQL admin URL; a throwaway database is used as well as SQLite")
    args = parser.parse_args(argv)
    return finish(run(args), args.json)


if __name__ == "__main__":
    sys.exit(main())
