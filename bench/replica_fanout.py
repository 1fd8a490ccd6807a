"""Two bot replicas on one PostgreSQL database fan out DMs into one rate-limited Slack workspace.

Run from the repository root::

    python -m bench.replica_fanout --pg ADMIN_URL [--n 1000] [--rate 100] [--replicas 2]

`--replicas` ``python -m bot.cli run`` processes share a throwaway PostgreSQL database and one
Slack stand-in (served by this process) that allows ``--rate`` chat.postMessage calls per second
workspace-wide (token bucket, ``--burst``) and answers 429 + Retry-After past it. Every replica is
configured with the workspace's real limit (``outbox.slack_workspace_posts_per_second = --rate``;
nothing divided by the number of replicas): they take their slots from one budget in the database.

Once all replicas are healthy, N renewal-reminder DMs are queued in one transaction (the outbox
rows the reminder sweep would write), and the replicas deliver them. Printed: the combined rate
(DMs / (last DM - first DM), as the stand-in stamped them) against the allowed rate (the
baseline), the busiest one-second window, the 429s, how the DMs split between the replicas, and
duplicates / losses (both must be 0). Nothing here asserts on time.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from bench._common import add_options, add_pg_json, database, finish, machine, machine_line, positive
from bench.fanout import Arrivals, call_counts, prepare_slack, user_ids
from bot.program.outbox import dm
from bot.program.terms.messages import RenewalReminder
from bot.sandbox.harness.procs import BotProcess, log_tail, write_config
from bot.sandbox.harness.stack import make_standins
from bot.sandbox.http import free_port, serve_asgi
from storage import migrate
from storage.db import make_engine, make_sessionmaker
from storage.models import OutboxMessage
from storage.uow import UnitOfWorkFactory

POLL_SECONDS = 0.05
LEASE_SECONDS = 5.0  # as bench.reminder_fanout (production: 60 s; the test harness: 1 s)
PROGRESS_EVERY = 10.0


async def _queue(db_url: str, users: list[str]) -> None:
    """The N DMs, as the reminder sweep queues them (bot.program.terms.reminders)."""
    engine = make_engine(db_url)
    try:
        uow = UnitOfWorkFactory(make_sessionmaker(engine))
        now = datetime.now(UTC)
        term_end = (now + timedelta(days=29)).replace(microsecond=0)
        async with uow() as work:
            for i, uid in enumerate(users, start=1):
                message = RenewalReminder(f"Ambassador {i}", term_end, 30, "Bench")
                await dm(work, f"renewal:{i}:{term_end:%Y%m%d}:30", uid, message, now)
    finally:
        await engine.dispose()


async def _split(db_url: str) -> dict[str, int]:
    """Delivered DMs by the worker that delivered them (each replica has its own worker id)."""
    engine = make_engine(db_url)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(
                select(OutboxMessage.locked_by, func.count())
                .where(OutboxMessage.status == "delivered")
                .group_by(OutboxMessage.locked_by)
            )
            return {str(by): int(n) for by, n in rows.all()}
    finally:
        await engine.dispose()


def busiest_second(stamps: list[float]) -> int:
    """The most DMs the stand-in stamped within any one-second window."""
    best, j = 0, 0
    for i, start in enumerate(stamps):
        while j < len(stamps) and stamps[j] < start + 1.0:
            j += 1
        best = max(best, j - i)
    return best


def _stamps(arrivals: Arrivals) -> list[float]:
    return sorted(float(m["ts"]) for ch in arrivals.channels for m in arrivals.slack.messages.get(ch, []))


async def run(args: argparse.Namespace) -> dict[str, Any]:
    if not args.pg:
        raise RuntimeError("the replicas share PostgreSQL: give --pg ADMIN_URL")
    n, rate, k = args.n, args.rate, args.replicas
    users = user_ids(n)
    print(
        f"{n} DMs from {k} replicas on one PostgreSQL database; Slack workspace ceiling {rate:g}/s "
        f"(burst {args.burst}), each replica configured with {rate:g}/s; {machine_line()}"
    )
    async with database(args.pg, "replica-bench-") as (db_url, _label):
        engine = make_engine(db_url)
        try:
            await migrate.upgrade(engine)
        finally:
            await engine.dispose()
        slack, forum = make_standins()
        prepare_slack(slack, users, rate, args.burst)
        arrivals = Arrivals(slack, users)
        with tempfile.TemporaryDirectory(prefix="replica-bench-") as tmp:
            async with serve_asgi(slack.app) as slack_url, serve_asgi(forum.app) as forum_url:
                slack.base_url, forum.base_url = slack_url, forum_url
                bots = []
                for i in range(k):
                    port = free_port()
                    config = Path(tmp) / f"replica-{i}.toml"
                    outbox = {
                        "poll_seconds": POLL_SECONDS,
                        "lease_seconds": LEASE_SECONDS,
                        "slack_workspace_posts_per_second": rate,
                    }
                    write_config(config, db_url, port, slack_url, forum_url, outbox=outbox)
                    bots.append(BotProcess(config, port, Path(tmp) / f"replica-{i}.log"))
                try:
                    starts = await asyncio.gather(*(b.start() for b in bots))
                    queued_at = time.perf_counter()
                    await _queue(db_url, users)
                    queue_s = time.perf_counter() - queued_at
                    cap = time.monotonic() + args.cap_factor * n / rate + 60
                    next_progress = time.monotonic() + PROGRESS_EVERY
                    finished = False
                    while time.monotonic() < cap:
                        reached = arrivals.users_reached()
                        if reached >= n:
                            finished = True
                            break
                        if time.monotonic() >= next_progress:
                            print(f"  {reached}/{n} reached, {slack.rate_limited} x 429", flush=True)
                            next_progress += PROGRESS_EVERY
                        await asyncio.sleep(0.1)
                    await asyncio.sleep(1.0)  # a late duplicate would show up here
                    split = await _split(db_url)
                finally:
                    await asyncio.gather(*(b.astop() for b in bots))
                logs = [log_tail(b.log, 5) for b in bots]
        tally = arrivals.tally()
        stamps = _stamps(arrivals)
    spread = stamps[-1] - stamps[0] if len(stamps) > 1 else None
    combined = (len(stamps) - 1) / spread if spread else None
    result = {
        "label": f"{k} replicas",
        "finished": finished,
        "replicas": k,
        "start_s": list(starts),
        "queue_s": queue_s,
        "dms": tally["renewal_dms"],
        "duplicates": tally["duplicates"],
        "lost": tally["lost"],
        "spread_s": spread,
        "combined_per_s": combined,
        "combined_over_allowed": combined / rate if combined else None,
        "busiest_second": busiest_second(stamps),
        "per_second": [
            sum(1 for t in stamps if stamps[0] + i <= t < stamps[0] + i + 1)
            for i in range(int(spread or 0) + 1)
        ],
        "rate_limited_429": slack.rate_limited,
        "delivered_by_worker": split,
        "slack_calls": call_counts(slack),
        "bot_log_tails": logs,
    }
    _print(result, n, rate)
    out: dict[str, Any] = {
        "config": {
            "n": n,
            "rate": rate,
            "burst": args.burst,
            "replicas": k,
            "database": "postgresql",
            "poll_seconds": POLL_SECONDS,
            "lease_seconds": LEASE_SECONDS,
            **machine(),
        },
        "runs": [result],
    }
    out["rows"] = table_rows(out)
    return out


def _print(r: dict[str, Any], n: int, rate: float) -> None:
    combined = r["combined_per_s"]
    print(
        f"\n{r['replicas']} replicas: {r['dms']} DMs to {n} people in {r['spread_s'] or 0:.1f} s "
        "(first -> last); "
        f"combined {combined or 0:.1f}/s = {r['combined_over_allowed'] or 0:.2f} x the allowed {rate:g}/s; "
        f"busiest second {r['busiest_second']}; 429s {r['rate_limited_429']}; "
        f"dup {r['duplicates']}, lost {r['lost']}"
    )
    print("  DMs per second: " + " ".join(str(c) for c in r["per_second"]))
    split = Counter(r["delivered_by_worker"])
    print("  delivered by worker: " + ", ".join(f"{w} {c}" for w, c in split.most_common()))
    if not r["finished"]:
        print("  did NOT finish before the cap")


def table_rows(results: dict[str, Any]) -> list[dict[str, Any]]:
    """One row: the replicas' combined DM rate against the workspace's allowed rate."""
    cfg = results["config"]
    (r,) = results["runs"]
    return [
        {
            "benchmark": f"fan-out {cfg['replicas']} replicas {cfg['n']} @ {cfg['rate']:g}/s",
            "measure": (
                f"combined DMs/s vs allowed (429s: {r['rate_limited_429']}, busiest second: "
                f"{r['busiest_second']}, dup: {r['duplicates']}, lost: {r['lost']})"
            ),
            "bot": r["combined_per_s"] if r["finished"] else None,
            "baseline": cfg["rate"],
            "ratio": r["combined_over_allowed"] if r["finished"] else None,
        }
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.replica_fanout", description=__doc__.split("\n")[0]
    )
    add_options(
        parser,
        ("--n", positive, 1000, "DMs to deliver (one per person)"),
        ("--rate", float, 100.0, "workspace chat.postMessage ceiling per second (each replica's setting)"),
        ("--burst", positive, 20, "the stand-in's workspace token-bucket burst"),
        ("--replicas", positive, 2, "bot processes on the one database"),
        ("--cap-factor", float, 10.0, "give up after this x ideal + 60 s"),
    )
    add_pg_json(parser, "PostgreSQL admin URL (required): a throwaway database is created and dropped")
    args = parser.parse_args(argv)
    if args.rate <= 0 or args.cap_factor <= 0:
        parser.error("--rate and --cap-factor must be positive")
    return finish(run(args), args.json)


if __name__ == "__main__":
    sys.exit(main())
