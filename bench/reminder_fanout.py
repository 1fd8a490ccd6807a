"""Renewal reminders to N ambassadors at once, under Slack's workspace-wide chat.postMessage ceiling.

Run from the repository root::

    python -m bench.reminder_fanout [--n 10000] [--rate 200] [--burst 20] [--pg ADMIN_URL]

N active ambassadors (people + ambassadors rows, bulk-inserted with SQLAlchemy core after the
migrations) all have terms ending in 29 days, so ONE reminder sweep makes N renewal reminders (the
30-day offset) due. The 60-day reminders are pre-seeded as already decided, as they would be in a bot
that has been running. Each ambassador's Slack user is registered in the Slack stand-in, which
allows ``--rate`` posts per second workspace-wide (token bucket, ``--burst``), then answers 429 +
Retry-After. The bot's ``outbox.slack_workspace_posts_per_second`` is set to the same rate.

- **in-process**: the whole bot in this process (its app served as ``ambassador-bot run`` serves it),
  sweep called directly; the Slack stand-in in a child process (bench.slack_process), so its work
  is not done on the bot's event loop.
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
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bench._common import (
    add_options,
    add_pg_json,
    database,
    finish,
    machine,
    machine_line,
    positive,
)
from bench.fanout import (
    DAYS_LEFT,
    Arrivals,
    call_counts,
    db_facts,
    decided_count,
    prepare_slack,
    print_table,
    seed,
    summary,
    user_ids,
    wait_done,
)
from bench.slack_process import RemoteArrivals, SlackProcess
from bot.sandbox.harness.procs import ServerProcess, bot_argv, log_tail, write_config
from bot.sandbox.harness.stack import (
    BOT_TOKEN,
    SIGNING_SECRET,
    make_standins,
    test_settings,
)
from bot.sandbox.http import free_port, serve_asgi
from bot.sandbox.slack import SlackStandIn
from bot.server import create_app
from handlers.slack.blocks import render
from storage.db import make_engine

# Poll often (the run is limited by the rate, not the poll); a short lease so the one row in flight
# when the bot is SIGKILLed comes back after seconds, not after the production 60 s.
POLL_SECONDS = 0.05
LEASE_SECONDS = 5.0
METADATA_TYPE = "ambassador_bot_outbox"


# -- (a) the bot in this process ---------------------------------------------------------------------


async def run_inprocess(args: argparse.Namespace, users: list[str], cap: float) -> dict[str, Any]:
    n, rate = args.n, args.rate
    async with database(args.pg, "reminder-bench-") as (db_url, _label):
        seed_s = await seed(db_url, users, datetime.now(UTC))
        _slack, forum = make_standins()  # the forum stand-in here, Slack's in a process of its own
        async with SlackProcess(users, rate, args.burst) as slack, forum.serve() as forum_url:
            settings = test_settings(
                db_url,
                slack.url,
                forum_url,
                outbox={
                    "poll_seconds": POLL_SECONDS,
                    "lease_seconds": LEASE_SECONDS,
                    "slack_workspace_posts_per_second": rate,
                },
                reminders={"sweep_seconds": 3600},  # this run calls the sweep itself
            )
            app = create_app(settings, auto_migrate=True)
            async with serve_asgi(app):
                runtime = app.state.runtime
                arrivals = RemoteArrivals(slack)
                engine = make_engine(db_url)
                try:
                    worker = runtime.worker
                    t0 = time.perf_counter()
                    sweep_task = asyncio.create_task(runtime.services.reminders.sweep())
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
                        again = await runtime.services.reminders.sweep()
                        resweep_s, resweep_sent = time.perf_counter() - t1, len(again.sent)
                    tally = await arrivals.tally()
                    state = await slack.state()
                    facts = await db_facts(engine)
                finally:
                    await engine.dispose()
            out = summary("in-process", rate, tally, facts, finished, all_decided_at)
            out.update(
                seed_s=seed_s,
                sweep_s=sweep_s,
                sweep_sent=sweep_sent,
                resweep_s=resweep_s,
                resweep_sent=resweep_sent,
                rate_limited_429=state["rate_limited"],
                worker_rate_limited=worker.rate_limited,
                slack_calls=state["calls"],
                slack_process=True,
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
                        kill["decided_at_kill"] = await decided_count(engine)
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
                    facts = await db_facts(engine)
                finally:
                    await bot.astop()
                    await engine.dispose()
                tail_of_log = log_tail(log, 10)
        out = summary("subprocess+kill", rate, tally, facts, finished, all_decided_at)
        before = kill.get("delivered_before_kill")
        out.update(
            seed_s=seed_s,
            start_s=start_s,
            sweep_seconds=args.sweep_seconds,
            killed=bool(kill),
            **kill,
            delivered_after_restart=(tally["renewal_dms"] - before) if before is not None else None,
            rate_limited_429=slack.rate_limited,
            slack_calls=call_counts(slack),
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
    out = summary("naive sdk", rate, tally, facts, tally["users_reached"] >= n)
    out.update(
        elapsed_s=elapsed,
        stopped_by_time_limit=tally["users_reached"] < n,
        concurrency=args.baseline_concurrency,
        rate_limited_429=slack.rate_limited,
        slept_s_total=slept[0],
        slack_calls=call_counts(slack),
    )
    return out


# -- report --------------------------------------------------------------------------------------------


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
