"""Discourse webhook deliveries per second through the bot, next to a bare HMAC-checking endpoint.

Run from the repository root::

    python -m bench.webhooks [--requests 1000] [--concurrency 8] [--dup-share 0.2] [--pg ADMIN_URL]

Both targets are served by uvicorn in this process and event loop and get the same signed
deliveries from the same httpx client (``DiscourseActor.send_raw``). The bot runs the whole
``POST /discourse/webhooks`` path (HMAC verify, JSON parse, content-identity dedupe, commit);
the bare endpoint only verifies ``X-Discourse-Event-Signature`` and answers 200. Deliveries go
to the two targets in alternating blocks (ABBA order). Nothing here asserts on time.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import func, select
from starlette.applications import Starlette
from starlette.routing import Route

from bench._common import (
    add_pg_json,
    database,
    finish,
    fmt,
    latency_summary,
    machine,
    machine_line,
    positive,
    print_header,
    ratio,
)
from bench.bare_server import bare_webhook
from bench.webhook_plan import Delivery, Planner
from bot.sandbox.discourse import DiscourseActor
from bot.sandbox.harness.stack import WEBHOOK_SECRET, Stack, start_stack
from bot.sandbox.http import serve_asgi
from storage.models import ProcessedEvent

INTRO_TOPIC = 10  # the bot is told about an intro topic; the posts go to another (OTHER_TOPIC)
PRODUCTION_OUTBOX = {"poll_seconds": 1.0}  # the worker shares the loop; use the deployed interval


# ---------------------------------------------------------------------------------------------- payloads


# ---------------------------------------------------------------------------------------------- targets


@dataclass
class Target:
    name: str
    actor: DiscourseActor
    check_result: bool  # the bot must answer "ignored"/"duplicate" as planned
    samples: list[float] = field(default_factory=list)  # seconds, good responses only
    non_200: Counter[int] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)  # non-200s, exceptions, wrong answers
    busy_seconds: float = 0.0
    by_expect: dict[str, list[float]] = field(default_factory=dict)  # "ignored"/"duplicate" -> seconds

    def reset(self) -> None:
        self.samples = []
        self.by_expect = {}
        self.non_200 = Counter()
        self.errors = Counter()
        self.busy_seconds = 0.0

    async def one(self, d: Delivery) -> None:
        started = time.perf_counter()
        try:
            response = await self.actor.send_raw(d.body, d.headers)
        except httpx.HTTPError as exc:
            self.errors[f"{type(exc).__name__}: {exc}"[:200]] += 1
            return
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            self.non_200[response.status_code] += 1
            self.errors[f"HTTP {response.status_code}: {response.text[:120]!r}"] += 1
            return
        if self.check_result:
            try:
                result = response.json().get("result")
            except ValueError:
                result = None
            if result != d.expect:
                self.errors[f"expected result {d.expect!r}, got {response.text[:120]!r}"] += 1
                return
        self.samples.append(elapsed)
        self.by_expect.setdefault(d.expect, []).append(elapsed)


def _bare_app(secret: str) -> Starlette:
    """The baseline: read the body, check the HMAC with compare_digest, answer 200."""
    return Starlette(routes=[Route("/discourse/webhooks", bare_webhook(secret), methods=["POST"])])


# ---------------------------------------------------------------------------------------------- running


async def _send_block(target: Target, deliveries: list[Delivery], concurrency: int) -> None:
    started = time.perf_counter()
    if concurrency <= 1:
        for d in deliveries:
            await target.one(d)
    else:
        sem = asyncio.Semaphore(concurrency)

        async def limited(d: Delivery) -> None:
            async with sem:
                await target.one(d)

        await asyncio.gather(*(limited(d) for d in deliveries))
    target.busy_seconds += time.perf_counter() - started


async def _interleaved(
    planner: Planner, targets: list[Target], total: int, block: int, concurrency: int
) -> None:
    """``total`` deliveries per target; each block's deliveries go to both, in ABBA order."""
    done = 0
    index = 0
    while done < total:
        size = min(block, total - done)
        deliveries = planner.block(size)
        for target in targets if index % 2 == 0 else list(reversed(targets)):
            await _send_block(target, deliveries, concurrency)
        planner.block_done()
        done += size
        index += 1


def _summary(target: Target) -> dict[str, Any]:
    out = latency_summary(target.samples)
    out["deliveries_per_second"] = len(target.samples) / target.busy_seconds if target.busy_seconds else None
    out["non_200"] = sum(target.non_200.values())
    out["non_200_by_status"] = {str(k): v for k, v in target.non_200.items()}
    out["errors"] = sum(target.errors.values())
    out["error_messages"] = dict(target.errors.most_common(10))
    out["by_kind"] = {
        ("new_post" if k == "ignored" else "redelivery"): latency_summary(v)
        for k, v in target.by_expect.items()
    }
    out["samples_ms"] = [round(s * 1000, 4) for s in target.samples]
    return out


def _print_table(title: str, targets: list[Target], result: dict[str, Any]) -> None:
    print(f"\n{title}")
    header = (
        f"{'target':<6} {'ok':>6} {'non200':>6} {'err':>4} {'deliv/s':>8} "
        f"{'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'max ms':>8}"
    )
    print_header(header)
    for target in targets:
        s = result[target.name]
        if s["n"] == 0:
            print(f"{target.name:<6} {0:>6} {s['non_200']:>6} {s['errors']:>4}  (no successful deliveries)")
            continue
        print(
            f"{target.name:<6} {s['n']:>6} {s['non_200']:>6} {s['errors']:>4} "
            f"{fmt(s['deliveries_per_second'], '.0f'):>8} {s['p50_ms']:>8.2f} {s['p90_ms']:>8.2f} "
            f"{s['p99_ms']:>8.2f} {s['max_ms']:>8.2f}"
        )
    print(
        f"bot/bare: deliveries/s {fmt(result['throughput_ratio'])}, p50 {fmt(result['p50_ratio'])}, "
        f"p99 {fmt(result['p99_ratio'])}"
    )
    kinds = result["bot"]["by_kind"]
    if kinds:
        shown = ", ".join(
            f"{k} p50 {v['p50_ms']:.2f} / p99 {v['p99_ms']:.2f} ms (n={v['n']})"
            for k, v in sorted(kinds.items())
        )
        print(f"bot by kind: {shown}")
    for target in targets:
        for message, count in target.errors.most_common(5):
            print(f"  error [{target.name}] x{count}: {message}")


async def _phase(
    planner: Planner, bot: Target, bare: Target, requests: int, block: int, concurrency: int, title: str
) -> dict[str, Any]:
    for target in (bot, bare):
        target.reset()
    await _interleaved(planner, [bot, bare], requests, block, concurrency)
    b, r = _summary(bot), _summary(bare)
    result: dict[str, Any] = {"concurrency": concurrency, "block": block, "bot": b, "bare": r}
    result["throughput_ratio"] = ratio(b.get("deliveries_per_second"), r.get("deliveries_per_second"))
    result["p50_ratio"] = ratio(b.get("p50_ms"), r.get("p50_ms"))
    result["p99_ratio"] = ratio(b.get("p99_ms"), r.get("p99_ms"))
    _print_table(title, [bot, bare], result)
    return result


async def _processed_posts(stack: Stack) -> int:
    async with stack.runtime.uow() as uow:
        stmt = select(func.count()).where(
            ProcessedEvent.source == "discourse", ProcessedEvent.key.like("post_created:%")
        )
        return int((await uow.session.execute(stmt)).scalar_one())


async def run(args: argparse.Namespace) -> dict[str, Any]:
    planner = Planner(WEBHOOK_SECRET, args.dup_share, args.seed, args.keep_alive)
    async with database(args.pg, "webhook-bench-") as (db_url, db_label):
        async with start_stack(
            db_url, discourse={"intro_topic_id": INTRO_TOPIC}, outbox=PRODUCTION_OUTBOX
        ) as stack:
            bare_asgi = _bare_app(WEBHOOK_SECRET)
            async with (
                serve_asgi(bare_asgi) as bare_url,
                httpx.AsyncClient(timeout=30.0) as http,
            ):
                bot = Target("bot", DiscourseActor(stack.bot_url, WEBHOOK_SECRET, http=http), True)
                bare = Target("bare", DiscourseActor(bare_url, WEBHOOK_SECRET, http=http), False)
                connection = "keep-alive" if args.keep_alive else "Connection: close, as Discourse sends"
                print(
                    f"Discourse webhook deliveries: bot POST /discourse/webhooks ({db_label}) vs a bare "
                    f"HMAC-only endpoint (bare); {machine_line()}"
                )
                print(
                    f"captured post_created, posts in an unrelated topic; ~{args.dup_share:.0%} exact "
                    f"redeliveries (same body, new event id); {connection}; warm-up {args.warmup}/target, "
                    f"then {args.requests}/target per phase in alternating blocks (ABBA)"
                )
                await _interleaved(planner, [bot, bare], args.warmup, args.block, 1)
                results: dict[str, Any] = {
                    "config": {
                        "requests": args.requests,
                        "warmup": args.warmup,
                        "block": args.block,
                        "concurrency": args.concurrency,
                        "dup_share": args.dup_share,
                        "seed": args.seed,
                        "keep_alive": args.keep_alive,
                        "database": db_label,
                        **machine(),
                    },
                    "sequential": await _phase(
                        planner, bot, bare, args.requests, args.block, 1, "sequential (one in flight)"
                    ),
                }
                if args.concurrency > 1:
                    block = max(args.block, args.concurrency * 4)
                    results["concurrent"] = await _phase(
                        planner,
                        bot,
                        bare,
                        args.requests,
                        block,
                        args.concurrency,
                        f"concurrent ({args.concurrency} in flight per target, blocks of {block})",
                    )
                stored = await _processed_posts(stack)
                results["posts_sent"] = planner.new_posts
                results["redeliveries_sent"] = planner.redeliveries
                results["processed_events_rows"] = stored
                results["rows"] = table_rows(results)
                print(
                    f"\nbot received {planner.new_posts} distinct posts and {planner.redeliveries} "
                    f"redeliveries (incl. warm-up); processed_events holds {stored} post rows"
                    + ("" if stored == planner.new_posts else "  <-- MISMATCH")
                )
                return results


def table_rows(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Rows for the suite's table: each phase's throughput and p99 against the bare endpoint."""
    rows: list[dict[str, Any]] = []
    for phase in ("sequential", "concurrent"):
        r = results.get(phase)
        if r is None:
            continue
        name = "webhook intake" + (
            f" ({r['concurrency']} in flight)" if r["concurrency"] > 1 else " (1 in flight)"
        )
        bot, bare = r["bot"], r["bare"]
        rows.append(
            {
                "benchmark": name,
                "measure": "deliveries/s vs bare HMAC check",
                "bot": bot.get("deliveries_per_second"),
                "baseline": bare.get("deliveries_per_second"),
                "ratio": r["throughput_ratio"],
            }
        )
        rows.append(
            {
                "benchmark": name,
                "measure": "p99 ms vs bare HMAC check",
                "bot": bot.get("p99_ms"),
                "baseline": bare.get("p99_ms"),
                "ratio": r["p99_ratio"],
            }
        )
        if bot["errors"] or bare["errors"]:
            rows.append(
                {
                    "benchmark": name,
                    "measure": "errors (must be 0)",
                    "bot": bot["errors"],
                    "baseline": bare["errors"],
                    "ratio": None,
                }
            )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.webhooks", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--requests", type=positive, default=1000, help="measured deliveries per target per phase"
    )
    parser.add_argument("--warmup", type=int, default=50, help="unmeasured deliveries per target first")
    parser.add_argument("--block", type=positive, default=20, help="deliveries per target per block")
    parser.add_argument(
        "--concurrency", type=positive, default=8, help="in flight in the second phase (1: skip it)"
    )
    parser.add_argument("--dup-share", type=float, default=0.2, help="share of exact redeliveries (0..1)")
    parser.add_argument("--seed", type=int, default=1, help="seed for choosing redeliveries")
    parser.add_argument(
        "--keep-alive", action="store_true", help="drop Discourse's Connection: close (reuse connections)"
    )
    add_pg_json(
        parser,
        "PostgreSQL admin URL; a throwaway database is created and dropped (default: SQLite)",
        "also write the results (and samples) here",
    )
    args = parser.parse_args(argv)
    if not 0.0 <= args.dup_share < 1.0:
        parser.error("--dup-share must be in [0, 1)")
    return finish(run(args), args.json)


if __name__ == "__main__":
    sys.exit(main())
