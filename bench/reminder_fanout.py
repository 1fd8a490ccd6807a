"""Renewal reminders to N ambassadors at once, under Slack's workspace-wide chat.postMessage ceiling.

Run from the repository root::

    python -m bench.reminder_fanout [--n 10000] [--rate 200] [--burst 20] [--pg ADMIN_URL]

N active ambassadors (people + ambassadors rows, bulk-inserted with SQLAlchemy core after the
migrations) all have terms ending in 29 days, so ONE reminder sweep makes N renewal reminders (the
30-day offset) due. The 60-day reminders are pre-seeded as already decided, as they would be in a bot
that has been running. Each ambassador's Slack user is registered in the Slack stand-in, which
allows ``--rate`` posts per second workspace-wide (token bucket, ``--burst``), then answers 429 +
Retry-After. The bot's ``outbox.slack_workspace_posts_per_second`` is set to the same rate.

- **in-process**: the whole bot in this process (``bot.sandbox.harness.stack.start_stack``), sweep
  called directly.
- **subprocess+kill**: ``python -m bot.cli run`` as a child process whose scheduler runs the sweep
  (``reminders.sweep_seconds`` small); SIGKILL when half the DMs have arrived, restart, wait.
- **naive sdk** (baseline, same run): the same N DMs sent straight with slack_sdk's
  ``AsyncWebClient``, ``--baseline-concurrency`` in flight, no pacing, sleeping Retry-After on 429.

Nothing here asserts on time; duplicates and losses are printed (both must be 0).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import exists, func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bench._common import (
    add_options,
    add_pg_json,
    database,
    finish,
    fmt,
    machine,
    machine_line,
    positive,
)
from bot.sandbox.harness.procs import ServerProcess, bot_argv, log_tail, write_config
from bot.sandbox.harness.stack import (
    BOT_TOKEN,
    SIGNING_SECRET,
    make_standins,
    start_stack,
)
from bot.sandbox.http import free_port, serve_asgi
from bot.sandbox.slack import SlackStandIn
from handlers.slack.blocks import render
from storage import migrate
from storage.db import make_engine
from storage.events import Reminder
from storage.models import Ambassador, OutboxMessage, Person

DAYS_LEFT = 29  # terms end in 29 days: the 30-day renewal reminder is due, the 7-day one is not
TERM_DAYS = 730
BATCH = 5000
# Poll often (the run is limited by the rate, not the poll); a short lease so the one row in flight
# when the bot is SIGKILLed comes back after seconds, not after the production 60 s.
POLL_SECONDS = 0.05
LEASE_SECONDS = 5.0
PROGRESS_EVERY = 10.0
METADATA_TYPE = "ambassador_bot_outbox"


def user_ids(n: int) -> list[str]:
    return [f"UA{i:07d}" for i in range(n)]


def _chunks(rows: list[dict[str, Any]], size: int) -> list[list[dict[str, Any]]]:
    return [rows[i : i + size] for i in range(0, len(rows), size)]


async def seed(db_url: str, users: list[str], now: datetime) -> float:
    """Migrate, then bulk-insert N people + active ambassadors (+ their decided 60-day reminders)."""
    started = time.perf_counter()
    engine = make_engine(db_url)
    try:
        await migrate.upgrade(engine)
        term_end = (now + timedelta(days=DAYS_LEFT)).replace(microsecond=0)
        term_start = term_end - timedelta(days=TERM_DAYS)
        people, ambassadors, reminders = [], [], []
        for i, uid in enumerate(users, start=1):
            people.append(
                {"id": i, "slack_user_id": uid, "display_name": f"Ambassador {i}", "created_at": term_start}
            )
            ambassadors.append(
                {
                    "id": i,
                    "person_id": i,
                    "status": "active",
                    "term_start": term_start,
                    "term_end": term_end,
                    "created_at": term_start,
                    "updated_at": term_start,
                }
            )
            due60 = term_end - timedelta(days=60)
            reminders.append(
                {
                    "key": f"renewal:{i}:{term_end:%Y%m%d}:60",
                    "kind": "renewal",
                    "status": "sent",
                    "due_at": due60,
                    "decided_at": due60,
                    "detail": {"days": 60, "superseded": False},
                }
            )
        async with engine.begin() as conn:
            for table, rows in ((Person, people), (Ambassador, ambassadors), (Reminder, reminders)):
                for chunk in _chunks(rows, BATCH):
                    await conn.execute(insert(table), chunk)
            if engine.dialect.name == "postgresql":  # explicit ids: move the sequences past them
                for name in ("people", "ambassadors"):
                    await conn.exec_driver_sql(
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT MAX(id) FROM {name}))"
                    )
    finally:
        await engine.dispose()
    return time.perf_counter() - started


def prepare_slack(slack: SlackStandIn, users: list[str], rate: float, burst: int) -> None:
    slack.workspace_rate_per_second = rate
    slack.workspace_burst = burst
    for uid in users:
        slack.add_user(uid, uid.lower())


def _outbox_key(msg: dict[str, Any]) -> str:
    meta = msg.get("metadata") or {}
    return str((meta.get("event_payload") or {}).get("outbox_key", ""))


class Arrivals:
    """Counts, from the stand-in's stored messages, how many of the N users have their DM."""

    def __init__(self, slack: SlackStandIn, users: list[str]) -> None:
        self.slack = slack
        self.channels = [slack.im_channel_id(u) for u in users]

    def users_reached(self) -> int:
        messages = self.slack.messages
        return sum(1 for ch in self.channels if messages.get(ch))

    def tally(self) -> dict[str, Any]:
        per_user: list[int] = []
        stamps: list[float] = []
        for ch in self.channels:
            k = 0
            for msg in self.slack.messages.get(ch, []):
                if _outbox_key(msg).startswith("renewal:"):
                    k += 1
                    stamps.append(float(msg["ts"]))
            per_user.append(k)
        return {
            "renewal_dms": sum(per_user),
            "users_reached": sum(1 for k in per_user if k),
            "duplicates": sum(1 for k in per_user if k > 1),
            "extra_dms": sum(k - 1 for k in per_user if k > 1),
            "lost": sum(1 for k in per_user if k == 0),
            "first_ts": min(stamps) if stamps else None,
            "last_ts": max(stamps) if stamps else None,
        }


def _call_counts(slack: SlackStandIn) -> dict[str, int]:
    return dict(Counter(name for name, _params in slack.calls).most_common())


async def _db_facts(engine: AsyncEngine) -> dict[str, Any]:
    """When the sweep started (its `now` is every decision's decided_at), what it decided, and the
    state of the DM outbox rows."""
    async with engine.connect() as conn:
        like = Reminder.key.like("renewal:%:30")
        row = (await conn.execute(select(func.min(Reminder.decided_at), func.count()).where(like))).one()
        by_status = await conn.execute(
            select(OutboxMessage.status, func.count())
            .where(OutboxMessage.kind == "slack.dm")
            .group_by(OutboxMessage.status)
        )
        retried = await conn.execute(
            select(OutboxMessage.status, OutboxMessage.result).where(
                OutboxMessage.kind == "slack.dm", OutboxMessage.attempts > 1
            )
        )
        retried_rows = retried.all()
        # A reminder recorded as sent whose outbox row does not exist will never be delivered.
        orphans = await conn.execute(
            select(func.count())
            .select_from(Reminder)
            .where(like, Reminder.status == "sent", ~exists().where(OutboxMessage.key == Reminder.key))
        )
        return {
            "sweep_started": row[0],
            "decided_30d": int(row[1]),
            "dm_rows": {str(s): int(c) for s, c in by_status.all()},
            "dm_rows_retried": len(retried_rows),
            "dm_rows_recovered": sum(1 for _s, res in retried_rows if (res or {}).get("recovered")),
            "decided_without_outbox_row": int(orphans.scalar_one()),
        }


async def _waiting(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        stmt = select(func.count()).where(OutboxMessage.status.in_(("pending", "in_flight")))
        return int((await conn.execute(stmt)).scalar_one())


def _aware(value: Any) -> datetime | None:
    if value is None:
        return None
    moment: datetime = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def _decided(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        stmt = select(func.count()).where(Reminder.key.like("renewal:%:30"))
        return int((await conn.execute(stmt)).scalar_one())


async def wait_done(
    arrivals: Arrivals,
    engine: AsyncEngine,
    n: int,
    label: str,
    cap_at: float,
    on_tick: Callable[[int], Any] | None = None,
) -> tuple[bool, float | None]:
    """Until every user has a DM and nothing is left in the outbox (so no late duplicate can come).
    Also notes (to about 0.5 s) the wall time when the sweep had decided all N reminders. Polls
    every 0.25 s: a scan of N dict entries in this loop, cheap next to the bot's work."""
    started = time.monotonic()
    next_progress = started + PROGRESS_EVERY
    next_decided_check = started
    decided, all_decided_at = 0, None
    while time.monotonic() < cap_at:
        reached = arrivals.users_reached()
        if on_tick is not None:
            await on_tick(reached)
        if all_decided_at is None and time.monotonic() >= next_decided_check:
            decided = await _decided(engine)
            if decided >= n:
                all_decided_at = time.time()
            next_decided_check += 0.5
        if reached >= n and await _waiting(engine) == 0:
            if all_decided_at is None and await _decided(engine) >= n:
                all_decided_at = time.time()  # an upper bound: decided between two checks
            return True, all_decided_at
        if time.monotonic() >= next_progress:
            print(
                f"  [{label}] {time.monotonic() - started:5.0f} s: {decided}/{n} reminders decided, "
                f"{reached}/{n} users have their DM, {arrivals.slack.rate_limited} x 429 so far",
                flush=True,
            )
            next_progress += PROGRESS_EVERY
        await asyncio.sleep(0.25)
    return False, all_decided_at


def _summary(
    label: str,
    rate: float,
    tally: dict[str, Any],
    facts: dict[str, Any],
    finished: bool,
    all_decided_at: float | None = None,
) -> dict[str, Any]:
    started = _aware(facts["sweep_started"])
    e2e = None
    if started is not None and tally["last_ts"] is not None:
        e2e = tally["last_ts"] - started.timestamp()
    achieved = tally["users_reached"] / e2e if e2e else None
    decided_after = None
    if started is not None and all_decided_at is not None:
        decided_after = all_decided_at - started.timestamp()
    first_after = None
    if started is not None and tally["first_ts"] is not None:
        first_after = tally["first_ts"] - started.timestamp()
    spread = None
    if tally["first_ts"] is not None and tally["last_ts"] is not None and tally["renewal_dms"] > 1:
        spread = tally["last_ts"] - tally["first_ts"]
    return {
        "label": label,
        "finished": finished,
        "e2e_s": e2e,
        "first_dm_after_s": first_after,
        "all_decided_after_s": decided_after,
        "achieved_per_s": achieved,
        "achieved_over_allowed": achieved / rate if achieved else None,
        "steady_per_s": (tally["renewal_dms"] - 1) / spread if spread else None,
        **{k: v for k, v in tally.items() if k not in ("first_ts", "last_ts")},
        **{k: v for k, v in facts.items() if k != "sweep_started"},
        "sweep_started": started.isoformat() if started else None,
    }


# -- (a) the bot in this process ---------------------------------------------------------------------


async def run_inprocess(args: argparse.Namespace, users: list[str], cap: float) -> dict[str, Any]:
    n, rate = args.n, args.rate
    async with database(args.pg, "reminder-bench-") as (db_url, _label):
        seed_s = await seed(db_url, users, datetime.now(UTC))
        async with start_stack(
            db_url,
            outbox={
                "poll_seconds": POLL_SECONDS,
                "lease_seconds": LEASE_SECONDS,
                "slack_workspace_posts_per_second": rate,
            },
            reminders={"sweep_seconds": 3600},  # this run calls the sweep itself
        ) as stack:
            slack = stack.slack
            prepare_slack(slack, users, rate, args.burst)
            arrivals = Arrivals(slack, users)
            engine = make_engine(db_url)
            try:
                worker = stack.runtime.worker
                t0 = time.perf_counter()
                sweep_task = asyncio.create_task(stack.runtime.services.reminders.sweep())
                sweep_done_at: list[float] = []
                sweep_task.add_done_callback(lambda _t: sweep_done_at.append(time.perf_counter()))
                finished, all_decided_at = await wait_done(
                    arrivals, engine, n, "in-process", time.monotonic() + cap
                )
                if not finished:
                    sweep_task.cancel()
                sweep_sent = None
                with contextlib.suppress(asyncio.CancelledError):
                    first = await sweep_task
                    sweep_sent = sum(1 for k in first.sent if k.startswith("renewal:"))
                sweep_s = sweep_done_at[0] - t0 if sweep_done_at and sweep_sent is not None else None
                resweep_s, resweep_sent = None, None
                if args.resweep:
                    t1 = time.perf_counter()
                    again = await stack.runtime.services.reminders.sweep()
                    resweep_s, resweep_sent = time.perf_counter() - t1, len(again.sent)
                tally = arrivals.tally()
                facts = await _db_facts(engine)
            finally:
                await engine.dispose()
            out = _summary("in-process", rate, tally, facts, finished, all_decided_at)
            out.update(
                seed_s=seed_s,
                sweep_s=sweep_s,
                sweep_sent=sweep_sent,
                resweep_s=resweep_s,
                resweep_sent=resweep_sent,
                rate_limited_429=slack.rate_limited,
                worker_rate_limited=worker.rate_limited,
                slack_calls=_call_counts(slack),
            )
            return out


# -- (b) the bot as a subprocess, SIGKILLed half way ----------------------------------------------------


async def run_subprocess(args: argparse.Namespace, users: list[str], cap: float) -> dict[str, Any]:
    n, rate = args.n, args.rate
    async with database(args.pg, "reminder-bench-") as (db_url, _label):
        seed_s = await seed(db_url, users, datetime.now(UTC))
        slack, forum = make_standins()
        prepare_slack(slack, users, rate, args.burst)
        arrivals = Arrivals(slack, users)
        engine = make_engine(db_url)
        with tempfile.TemporaryDirectory(prefix="reminder-bench-bot-") as tmp:
            log = Path(tmp) / "bot.log"
            async with serve_asgi(slack.app) as slack_url, serve_asgi(forum.app) as forum_url:
                slack.base_url, forum.base_url = slack_url, forum_url
                port = free_port()
                config = Path(tmp) / "config.toml"
                pacing = f"slack_workspace_posts_per_second = {args.rate}\n"  # still in [outbox]
                sweeps = f"[reminders]\nsweep_seconds = {args.sweep_seconds}\n"
                outbox = {"poll_seconds": POLL_SECONDS, "lease_seconds": LEASE_SECONDS}
                write_config(config, db_url, port, slack_url, forum_url, pacing + sweeps, outbox=outbox)
                argv = bot_argv(config)
                bot = ServerProcess("the bot", argv, port, log)
                kill: dict[str, Any] = {}
                try:
                    start_s = await bot.start()

                    async def maybe_kill(reached: int) -> None:
                        if kill or reached < n // 2:
                            return
                        bot.kill()
                        at = time.perf_counter()
                        kill["delivered_before_kill"] = arrivals.users_reached()
                        kill["decided_at_kill"] = await _decided(engine)
                        kill["restart_s"] = await bot.start()
                        kill["down_s"] = time.perf_counter() - at
                        print(
                            f"  [subprocess] SIGKILL with {kill['delivered_before_kill']}/{n} delivered "
                            f"({kill['decided_at_kill']} decided); restarted in {kill['down_s']:.1f} s",
                            flush=True,
                        )

                    finished, all_decided_at = await wait_done(
                        arrivals, engine, n, "subprocess", time.monotonic() + cap, on_tick=maybe_kill
                    )
                    tally = arrivals.tally()
                    facts = await _db_facts(engine)
                finally:
                    await bot.astop()
                    await engine.dispose()
                tail_of_log = log_tail(log, 10)
        out = _summary("subprocess+kill", rate, tally, facts, finished, all_decided_at)
        before = kill.get("delivered_before_kill")
        out.update(
            seed_s=seed_s,
            start_s=start_s,
            sweep_seconds=args.sweep_seconds,
            killed=bool(kill),
            **kill,
            delivered_after_restart=(tally["renewal_dms"] - before) if before is not None else None,
            rate_limited_429=slack.rate_limited,
            slack_calls=_call_counts(slack),
            bot_log_tail=tail_of_log,
        )
        return out


# -- baseline: slack_sdk straight at the stand-in, no pacing -----------------------------------------


async def run_baseline(args: argparse.Namespace, users: list[str]) -> dict[str, Any]:
    n, rate = args.n, args.rate
    slack = SlackStandIn(bot_token=BOT_TOKEN, signing_secret=SIGNING_SECRET)
    prepare_slack(slack, users, rate, args.burst)
    arrivals = Arrivals(slack, users)
    term_end = datetime.now(UTC) + timedelta(days=DAYS_LEFT)
    async with slack.serve() as url:
        client = AsyncWebClient(token=BOT_TOKEN, base_url=f"{url}/api/", timeout=15)
        todo = list(reversed(users))
        slept = [0.0]
        stop_at = time.monotonic() + args.baseline_seconds if args.baseline_seconds else None

        async def sender() -> None:
            while todo and (stop_at is None or time.monotonic() < stop_at):
                uid = todo.pop()
                data = {"name": uid, "term_end": term_end.isoformat(), "days": 30, "program": "Bench"}
                text, blocks = render("renewal_reminder", data)
                meta = {"event_type": METADATA_TYPE, "event_payload": {"outbox_key": f"renewal:bench:{uid}"}}
                while True:
                    try:
                        await client.chat_postMessage(
                            channel=uid, text=text, blocks=blocks, unfurl_links=False, metadata=meta
                        )
                        break
                    except SlackApiError as err:
                        if err.response.status_code != 429:
                            raise
                        wait = float(err.response.headers.get("Retry-After", "1"))
                        slept[0] += wait
                        await asyncio.sleep(wait)

        started = time.time()
        await asyncio.gather(*(sender() for _ in range(args.baseline_concurrency)))
        elapsed = time.time() - started
    tally = arrivals.tally()
    facts = {"sweep_started": datetime.fromtimestamp(started, UTC)}
    out = _summary("naive sdk", rate, tally, facts, tally["users_reached"] >= n)
    out.update(
        elapsed_s=elapsed,
        stopped_by_time_limit=tally["users_reached"] < n,
        concurrency=args.baseline_concurrency,
        rate_limited_429=slack.rate_limited,
        slept_s_total=slept[0],
        slack_calls=_call_counts(slack),
    )
    return out


# -- report --------------------------------------------------------------------------------------------


def _in_process_line(r: dict[str, Any]) -> str:
    line = (
        f"in-process: seed {r['seed_s']:.1f} s; first DM {fmt(r['first_dm_after_s'])} s after the sweep "
        f"started; the sweep call took {fmt(r['sweep_s'], '.1f')} s ({r['sweep_sent']} renewals queued); "
        f"outbox DM rows {r['dm_rows']}"
    )
    if r["resweep_s"] is not None:
        line += f"; a second sweep took {r['resweep_s']:.1f} s and queued {r['resweep_sent']}"
    return line


def _subprocess_line(r: dict[str, Any], n: int) -> str:
    line = (
        f"subprocess: seed {r['seed_s']:.1f} s, bot start {r['start_s']:.1f} s, sweep every "
        f"{r['sweep_seconds']:g} s; first DM {fmt(r['first_dm_after_s'])} s after the sweep started; "
        f"all {n} decided ~{fmt(r['all_decided_after_s'], '.0f')} s after it"
    )
    if not r["killed"]:
        return line + "; the kill point was never reached"
    return line + (
        f"\n  SIGKILL with {r['delivered_before_kill']} delivered and {r['decided_at_kill']}/{n} "
        f"decided; down {r['down_s']:.1f} s (restart {r['restart_s']:.1f} s); "
        f"{r['delivered_after_restart']} delivered after the restart; DM rows {r['dm_rows']}; "
        f"{r['dm_rows_retried']} retried after the crash, {r['dm_rows_recovered']} of them found "
        "already posted (not posted again)"
    )


def print_table(runs: list[dict[str, Any]], n: int, rate: float) -> None:
    header = (
        f"{'run':<16} {'e2e s':>7} {'rate/s':>7} {'/allowed':>8} {'steady/s':>8} {'429s':>6} "
        f"{'posts':>6} {'DMs':>6} {'dup':>4} {'lost':>5}"
    )
    print()
    print(header)
    print("-" * len(header))
    for r in runs:
        e2e = fmt(r["e2e_s"], ".1f")
        if not r["finished"]:
            e2e = f">{e2e}" if r["label"] == "naive sdk" else "DNF"
        posts = r["slack_calls"].get("chat.postMessage", 0)
        lost = "n/a" if r.get("stopped_by_time_limit") else str(r["lost"])
        print(
            f"{r['label']:<16} {e2e:>7} {fmt(r['achieved_per_s'], '.1f'):>7} "
            f"{fmt(r['achieved_over_allowed']):>8} {fmt(r['steady_per_s'], '.1f'):>8} "
            f"{r['rate_limited_429']:>6} {posts:>6} {r['renewal_dms']:>6} {r['duplicates']:>4} {lost:>5}"
        )
    print(
        f"(ideal at the allowed rate: {n / rate:.1f} s. e2e = sweep start -> last DM; rate = users "
        "reached / e2e; steady = DMs / (last DM - first DM); posts = chat.postMessage calls, 429s included)"
    )
    for r in runs:
        calls = ", ".join(f"{k} x{v}" for k, v in r["slack_calls"].items())
        if r["label"] == "in-process":
            print(_in_process_line(r))
        elif r["label"] == "subprocess+kill":
            print(_subprocess_line(r, n))
        else:
            stopped = (
                f"; stopped by --baseline-seconds after {r['users_reached']}/{n}"
                if r["stopped_by_time_limit"]
                else ""
            )
            print(
                f"naive sdk: {r['concurrency']} in flight, {r['elapsed_s']:.1f} s{stopped}; "
                f"slept {r['slept_s_total']:.0f} s in total (summed over senders) on Retry-After"
            )
        print(f"  Slack calls: {calls}")
        if r.get("decided_without_outbox_row"):
            print(
                f"  {r['label']}: {r['decided_without_outbox_row']} reminder(s) recorded as sent in "
                "`reminders` have NO outbox row: decided, never to be delivered"
            )
        if not r["finished"] and r["label"] != "naive sdk":
            print(f"  {r['label']}: did NOT finish before the cap")


async def run(args: argparse.Namespace) -> dict[str, Any]:
    n, rate = args.n, args.rate
    users = user_ids(n)
    ideal = n / rate
    cap = args.cap_factor * ideal + 60
    print(
        f"{n} renewal reminders, Slack workspace ceiling {rate:g}/s (burst {args.burst}), "
        f"bot pacer {rate:g}/s; {'PostgreSQL' if args.pg else 'SQLite'}; {machine_line()}"
    )
    print(f"ideal {ideal:.1f} s per run; each run capped at {cap:.0f} s")
    runs: list[dict[str, Any]] = []
    if not args.skip_baseline:
        print("\nbaseline: naive slack_sdk client ...", flush=True)
        runs.append(await run_baseline(args, users))
    if not args.skip_inprocess:
        print("in-process bot ...", flush=True)
        runs.append(await run_inprocess(args, users, cap))
    if not args.skip_subprocess:
        print("subprocess bot, SIGKILL at half ...", flush=True)
        runs.append(await run_subprocess(args, users, cap))
    print_table(runs, n, rate)
    out: dict[str, Any] = {
        "config": {
            "n": n,
            "rate": rate,
            "burst": args.burst,
            "database": "postgresql" if args.pg else "sqlite",
            "poll_seconds": POLL_SECONDS,
            "lease_seconds": LEASE_SECONDS,
            "sweep_seconds": args.sweep_seconds,
            "baseline_concurrency": args.baseline_concurrency,
            "baseline_seconds": args.baseline_seconds,
            **machine(),
        },
        "ideal_s": ideal,
        "runs": runs,
    }
    out["rows"] = table_rows(out)
    return out


def table_rows(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Rows for the suite's table: time to reach everyone against the ideal N / allowed rate (the
    naive client, stopped early, is shown as its rate against the allowed rate instead)."""
    ideal = results["ideal_s"]
    cfg = results["config"]
    name = f"reminder fan-out {cfg['n']} @ {cfg['rate']:g}/s"
    rows: list[dict[str, Any]] = []
    for r in results["runs"]:
        tail = f"429s: {r['rate_limited_429']}, dup: {r['duplicates']}"
        if r["label"] == "naive sdk":
            rows.append(
                {
                    "benchmark": name,
                    "measure": f"naive sdk DMs/s vs allowed ({tail})",
                    "bot": r["achieved_per_s"],
                    "baseline": cfg["rate"],
                    "ratio": r["achieved_over_allowed"],
                }
            )
            continue
        done = r["finished"] and r["e2e_s"] is not None
        rows.append(
            {
                "benchmark": name,
                "measure": f"{r['label']} s vs ideal ({tail}, lost: {r['lost']})",
                "bot": r["e2e_s"] if done else None,
                "baseline": ideal,
                "ratio": r["e2e_s"] / ideal if done else None,
            }
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.reminder_fanout", description=__doc__.split("\n")[0]
    )
    add_options(
        parser,
        ("--n", positive, 10_000, "ambassadors, each due one renewal DM"),
        ("--rate", float, 200.0, "workspace chat.postMessage ceiling per second (and the bot's pacer)"),
        ("--burst", positive, 20, "the stand-in's workspace token-bucket burst"),
        ("--sweep-seconds", float, 2.0, "reminders.sweep_seconds of the subprocess bot"),
        ("--baseline-concurrency", positive, 16, "requests in flight for the naive client"),
        (
            "--baseline-seconds",
            float,
            30.0,
            "stop the naive client after this long (0: until all N are sent, which can take minutes)",
        ),
        ("--resweep", None, False, "in-process: time a second (no-op) sweep afterwards"),
        ("--cap-factor", float, 10.0, "give up on a run after this x ideal + 60 s"),
        ("--skip-baseline", None, False, ""),
        ("--skip-inprocess", None, False, ""),
        ("--skip-subprocess", None, False, ""),
    )
    add_pg_json(
        parser,
        "PostgreSQL admin URL; a throwaway database is created per run and dropped (default: SQLite)",
    )
    args = parser.parse_args(argv)
    if args.rate <= 0 or args.sweep_seconds <= 0 or args.cap_factor <= 0 or args.baseline_seconds < 0:
        parser.error("--rate, --sweep-seconds and --cap-factor must be positive, --baseline-seconds >= 0")
    return finish(run(args), args.json)


if __name__ == "__main__":
    sys.exit(main())
