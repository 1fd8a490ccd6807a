"""Time to grant N forum badges through the outbox under Discourse's site-wide admin API limit.

Run from the repository root::

    python -m bench.badge_grants [--grants 300] [--per-minute 600] [--cap-factor 3] [--pg ADMIN_URL]

Each run starts the whole bot (``bot.sandbox.harness.stack.start_stack``) against a fresh Discourse stand-in
whose admin API allows ``--per-minute`` requests in any rolling 60 s (then 429 + Retry-After),
creates N forum users, queues N ``discourse.grant_badge`` outbox rows in one transaction and
measures the wall time until the bot's outbox worker has delivered them all.

- **paced**: the real configuration, ``discourse.admin_requests_per_minute`` = the forum's limit.
- **unpaced** (baseline, same run): the same grants with the gateway's pacer switched off, against
  an identically limited stand-in; it still honours Retry-After after a 429. Capped at
  ``--cap-factor`` x the ideal time.

Nothing here asserts on time; it only prints numbers.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import sys
import time
from collections import Counter
from typing import Any

from sqlalchemy import func, select

from bench._common import (
    add_options,
    add_pg_json,
    database,
    finish,
    fmt,
    machine,
    machine_line,
    positive,
    print_header,
)
from bot.program.outbox import DISCOURSE_GRANT_BADGE, queue
from bot.sandbox.harness.stack import BADGE_ID, Stack, start_stack
from storage.models import OutboxMessage

# Poll the outbox often (the paced run is limited by the forum, not by the poll), and give leases
# the production length so a long lane of paced grants never outlives its lease.
OUTBOX = {"poll_seconds": 0.05, "lease_seconds": 60.0}
MAX_CONFIGURED_RATE = 6000  # the highest admin_requests_per_minute the settings accept
PROGRESS_EVERY = 15.0  # seconds between progress lines


def _ideal_seconds(grants: int, per_minute: int) -> float:
    """Steady pacing: N grants at L per minute take N / L minutes."""
    return 60.0 * grants / per_minute


def _burst_floor_seconds(grants: int, per_minute: int) -> float:
    """The least a client could need against a rolling window: bursts of L, a minute apart."""
    return 60.0 * math.floor((grants - 1) / per_minute)


async def _outbox_statuses(stack: Stack) -> dict[str, int]:
    async with stack.runtime.uow() as uow:
        stmt = (
            select(OutboxMessage.status, func.count())
            .where(OutboxMessage.kind == DISCOURSE_GRANT_BADGE)
            .group_by(OutboxMessage.status)
        )
        return {str(status): int(count) for status, count in (await uow.session.execute(stmt)).all()}


async def _one_run(args: argparse.Namespace, label: str, paced: bool, cap_seconds: float) -> dict[str, Any]:
    n, limit = args.grants, args.per_minute
    configured = limit if paced else MAX_CONFIGURED_RATE
    async with database(args.pg, "badge-bench-") as (db_url, db_label):
        async with start_stack(
            db_url, discourse={"admin_requests_per_minute": configured}, outbox=OUTBOX
        ) as stack:
            forum = stack.forum
            forum.admin_limit_per_minute = limit
            gateway = stack.runtime.discourse
            if gateway is None:
                raise RuntimeError("the stack has no Discourse gateway")
            if not paced:
                gateway.pacer.interval = 0.0  # no spacing at all; Retry-After push-back stays
            usernames = [f"grantee{i:05d}" for i in range(n)]
            for username in usernames:
                forum.add_user(username)
            worker = stack.runtime.worker
            calls_before, limited_before = len(forum.calls), forum.rate_limited
            delivered_before, failed_before = worker.delivered, worker.failed
            gw_calls_before, gw_limited_before = gateway.calls, gateway.rate_limited

            queue_started = time.perf_counter()
            now = stack.runtime.clock.now()
            async with stack.runtime.uow() as uow:
                for username in usernames:
                    payload = {"username": username, "badge_id": BADGE_ID}
                    await queue(
                        uow, f"bench.grant:{username}:{BADGE_ID}", DISCOURSE_GRANT_BADGE, payload, now
                    )
            worker.kick()
            started = time.perf_counter()
            queue_seconds = started - queue_started

            finished = False
            next_progress = PROGRESS_EVERY
            while True:
                done = (worker.delivered - delivered_before) + (worker.failed - failed_before)
                elapsed = time.perf_counter() - started
                if done >= n:
                    finished = True
                    break
                if elapsed > cap_seconds:
                    break
                if elapsed >= next_progress:
                    print(
                        f"  [{label}] {elapsed:5.0f} s: {worker.delivered - delivered_before}/{n} delivered, "
                        f"{forum.rate_limited - limited_before} x 429 so far",
                        flush=True,
                    )
                    next_progress += PROGRESS_EVERY
                await asyncio.sleep(0.02)

            calls = forum.calls[calls_before:]
            posts = Counter(
                status for method, path, _p, status in calls if method == "POST" and "/user_badges" in path
            )
            by_route = Counter(f"{method} {path}" for method, path, _p, _s in calls)
            holders = {ub["user_id"] for ub in forum.user_badges if ub["badge_id"] == BADGE_ID}
            wanted = {forum.users[u]["id"] for u in usernames}
            statuses = await _outbox_statuses(stack)
            return {
                "label": label,
                "grants": n,
                "paced": paced,
                "database": db_label,
                "configured_admin_requests_per_minute": configured,
                "pacer_interval_s": gateway.pacer.interval,
                "forum_limit_per_minute": limit,
                "finished": finished,
                "elapsed_s": elapsed,
                "queue_s": queue_seconds,
                "cap_s": cap_seconds,
                "delivered": worker.delivered - delivered_before,
                "failed": worker.failed - failed_before,
                "grantees_holding_badge": len(holders & wanted),
                "forum_calls": len(calls),
                "forum_calls_by_route": dict(by_route.most_common()),
                "post_user_badges": sum(posts.values()),
                "post_user_badges_by_status": {str(k): v for k, v in sorted(posts.items())},
                "rate_limited_429": forum.rate_limited - limited_before,
                "gateway_calls": gateway.calls - gw_calls_before,
                "gateway_rate_limited": gateway.rate_limited - gw_limited_before,
                "outbox_statuses": statuses,
            }


def _print_table(runs: list[dict[str, Any]], ideal: float) -> None:
    header = (
        f"{'run':<8} {'pacer/min':>9} {'elapsed s':>9} {'/ideal':>7} {'delivered':>9} {'failed':>6} "
        f"{'429s':>5} {'POST ub':>7} {'ub 200':>6} {'calls':>6}"
    )
    print_header(header, blank_line=True)
    for r in runs:
        pacer = str(r["configured_admin_requests_per_minute"]) if r["paced"] else "off"
        shown = f"{r['elapsed_s']:.1f}" if r["finished"] else f">{r['cap_s']:.0f}"
        ratio = fmt(r["elapsed_s"] / ideal) if r["finished"] else "DNF"
        print(
            f"{r['label']:<8} {pacer:>9} {shown:>9} {ratio:>7} {r['delivered']:>9} {r['failed']:>6} "
            f"{r['rate_limited_429']:>5} {r['post_user_badges']:>7} "
            f"{r['post_user_badges_by_status'].get('200', 0):>6} {r['forum_calls']:>6}"
        )
    for r in runs:
        if not r["finished"]:
            print(
                f"{r['label']}: did not finish within the cap of {r['cap_s']:.0f} s "
                f"({r['delivered']}/{r['grants']} delivered when stopped)"
            )
        if r["grantees_holding_badge"] != r["delivered"]:
            print(
                f"{r['label']}: {r['grantees_holding_badge']} grantees hold the badge on the forum, "
                f"but {r['delivered']} rows were delivered"
            )
        routes = ", ".join(f"{k} x{v}" for k, v in r["forum_calls_by_route"].items())
        print(f"{r['label']}: forum calls by route: {routes or 'none'}; outbox rows: {r['outbox_statuses']}")


async def run(args: argparse.Namespace) -> dict[str, Any]:
    n, limit = args.grants, args.per_minute
    ideal = _ideal_seconds(n, limit)
    floor = _burst_floor_seconds(n, limit)
    print(
        f"{n} badge grants through the outbox, forum admin limit {limit}/min (rolling 60 s window); "
        f"{machine_line()}"
    )
    print(
        f"ideal (N / limit) = {ideal:.1f} s; a client bursting the whole window could need as little as "
        f"{floor:.0f} s; unpaced run capped at {args.cap_factor:g} x ideal = {args.cap_factor * ideal:.0f} s"
    )
    runs = []
    if not args.skip_paced:
        print("\npaced run (the bot's configuration: pacer = forum limit) ...", flush=True)
        runs.append(await _one_run(args, "paced", True, args.cap_factor * ideal))
    if not args.skip_unpaced:
        print("unpaced run (baseline: pacer off, same limited forum) ...", flush=True)
        runs.append(await _one_run(args, "unpaced", False, args.cap_factor * ideal))
    _print_table(runs, ideal)
    out = {
        "config": {
            "grants": n,
            "per_minute": limit,
            "cap_factor": args.cap_factor,
            "outbox": OUTBOX,
            **machine(),
        },
        "ideal_s": ideal,
        "burst_floor_s": floor,
        "runs": runs,
    }
    out["rows"] = table_rows(out)
    return out


def table_rows(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Rows for the suite's table: elapsed time against the ideal N / limit."""
    ideal = results["ideal_s"]
    cfg = results["config"]
    rows: list[dict[str, Any]] = []
    for r in results["runs"]:
        what = "paced (bot)" if r["paced"] else "unpaced client"
        rows.append(
            {
                "benchmark": f"badge grants {cfg['grants']} @ {cfg['per_minute']}/min",
                "measure": f"{what} s vs ideal (429s: {r['rate_limited_429']})",
                "bot": r["elapsed_s"] if r["finished"] else None,
                "baseline": ideal,
                "ratio": r["elapsed_s"] / ideal if r["finished"] else None,
            }
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.badge_grants", description=__doc__.split("\n")[0])
    add_options(
        parser,
        ("--grants", positive, 300, "badges to grant (one per forum user)"),
        (
            "--per-minute",
            positive,
            600,
            "the forum's admin API limit, and the bot's pacer setting (Discourse's default is 60)",
        ),
        ("--cap-factor", float, 3.0, "stop a run after this many times the ideal time"),
        ("--skip-paced", None, False, "only run the unpaced baseline"),
        ("--skip-unpaced", None, False, "only run the paced configuration"),
    )
    add_pg_json(
        parser,
        "PostgreSQL admin URL; a throwaway database is created per run and dropped (default: SQLite)",
    )
    args = parser.parse_args(argv)
    if args.per_minute > MAX_CONFIGURED_RATE:
        parser.error(f"--per-minute above {MAX_CONFIGURED_RATE} is not a valid bot setting")
    if args.cap_factor <= 0:
        parser.error("--cap-factor must be positive")
    return finish(run(args), args.json)


if __name__ == "__main__":
    sys.exit(main())
