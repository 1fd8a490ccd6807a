"""Sustained mixed traffic (slash commands, button presses, Discourse webhooks) against the bot as
its own process, next to a bare Bolt + HMAC endpoint process getting the same mix.

Run from the repository root::

    python -m bench.mixed_traffic [--seconds 100] [--bare-seconds 25] [--concurrency 8] [--pg ADMIN_URL]

The bot runs as ``python -m bot.cli run`` (production settings: outbox poll 1 s, reminder sweep
every 30 s) on a database loaded with a synthetic program (20 000 people, 1 000 active
ambassadors, every due reminder already decided). The baseline is ``python -m bench.bare_server``:
Bolt listeners that only ack, and a webhook route that only checks the HMAC. This process plays
Slack and Discourse (the stand-ins and the client) with ``--concurrency`` requests in flight.

Time is split into windows: bot, bare, bot, bare, ... so both see the same machine. Reported:
throughput, p50/p99 per target, non-2xx (must be 0), and the bot process's RSS (VmRSS from
/proc) after the warm-up (which lasts past the bot's first reminder sweep, a one-time step) and at
the end. Nothing is asserted on time.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from bench import _common
from bench._common import database, fmt, machine, machine_line, positive, print_header, ratio
from bench.db_scale import load
from bench.mixed_parts import (
    MIX,
    Mix,
    Target,
    events_toml,
    log_problems,
    outbox_waiting,
    post_rsvp_messages,
    rss_mb,
    summary,
    window,
)
from bench.synthetic import Program, Scale
from bot.config.events import ReminderSettings
from bot.program.text import plural
from bot.sandbox.discourse import DiscourseActor
from bot.sandbox.harness.procs import ServerProcess, bot_argv, log_tail, write_config
from bot.sandbox.harness.stack import (
    AMB_CHANNEL,
    SIGNING_SECRET,
    WEBHOOK_SECRET,
    TomlValue,
    make_standins,
)
from bot.sandbox.http import free_port, serve_asgi
from bot.sandbox.slack import SlackActor

# What issue 18 allows the bot process right after it has started (RSS, MB).
RSS_BUDGET_MB = 100

INTRO_TOPIC = 10  # webhook posts go to another topic: recorded (deduplicated) and "ignored"
FIRST_SWEEP_S = ReminderSettings().sweep_seconds  # the bot runs on the default: its first sweep is then
CONFIG_CHANGES: dict[str, dict[str, TomlValue | None] | None] = {  # to the harness's bot config
    "slack": {"ambassador_channel": AMB_CHANNEL},
    "discourse": {"admin_requests_per_minute": None, "intro_topic_id": INTRO_TOPIC},
    "outbox": None,
}


# ---------------------------------------------------------------------------------------------- running


async def run(args: argparse.Namespace) -> dict[str, Any]:
    now = datetime.now(UTC)
    scale = Scale("mixed", args.people, args.ambassadors, max(args.ambassadors // 5, 1), args.people)
    program = Program(scale, now, digest_weekday=0, digest_hour=9)
    # Occurrences start tomorrow at 17:00 UTC: no reminder is due during the run.
    first = (now + timedelta(days=1)).replace(hour=17, minute=0, second=0, microsecond=0)
    print(
        f"mixed traffic: bot process vs bare process, {args.concurrency} in flight, mix "
        f"{', '.join(f'{k} {w}%' for k, w in MIX)}; {machine_line()}",
        flush=True,
    )
    async with database(args.pg, "mixed-bench-") as (db_url, db_label):
        migrate_s, load_s, counts = await load(db_url, program)
        print(
            f"  {db_label}: loaded {counts['people']} people, {scale.active} active ambassadors, "
            f"{counts['audit_log']} audit rows in {migrate_s + load_s:.1f} s",
            flush=True,
        )
        slack, forum = make_standins()
        with tempfile.TemporaryDirectory(prefix="mixed-bench-") as tmp:
            bot_log, bare_log = Path(tmp) / "bot.log", Path(tmp) / "bare.log"
            async with (
                serve_asgi(slack.app) as slack_url,
                serve_asgi(forum.app) as forum_url,
                httpx.AsyncClient(timeout=30.0, limits=httpx.Limits(max_connections=64)) as http,
            ):
                slack.base_url, forum.base_url = slack_url, forum_url
                config = Path(tmp) / "config.toml"
                port = free_port()
                extra = events_toml(f"{first:%Y-%m-%dT%H:%M}")
                write_config(config, db_url, port, slack_url, forum_url, extra, **CONFIG_CHANGES)
                bot = ServerProcess("bot", bot_argv(config), port, bot_log)
                bare_port = free_port()
                bare = ServerProcess(
                    "bare",
                    [
                        sys.executable,
                        "-m",
                        "bench.bare_server",
                        "--port",
                        str(bare_port),
                        "--slack-url",
                        slack_url,
                    ],
                    bare_port,
                    bare_log,
                )
                try:
                    started_at = time.monotonic()
                    bot_start = await bot.start()
                    await bare.start()
                    messages = await post_rsvp_messages(db_url, slack_url, first)
                    mix = Mix(program, messages, args.seed)
                    bot_t = Target(
                        "bot",
                        SlackActor(slack, bot.url, SIGNING_SECRET, http=http),
                        DiscourseActor(bot.url, WEBHOOK_SECRET, http=http),
                    )
                    bare_t = Target(
                        "bare",
                        SlackActor(slack, bare.url, SIGNING_SECRET, http=http),
                        DiscourseActor(bare.url, WEBHOOK_SECRET, http=http),
                    )
                    bot_reqs, bare_reqs = mix.requests(), mix.requests()
                    rss_started = rss_mb(bot.pid)
                    print(
                        f"  bot started in {bot_start:.1f} s (RSS {fmt(rss_started, '.0f')} MB); "
                        f"warm-up {args.warmup_seconds:g} s each (the bot's past its first sweep), "
                        f"then {args.windows} x (bot "
                        f"{args.seconds / args.windows:.0f} s, bare "
                        f"{args.bare_seconds / args.windows:.0f} s)",
                        flush=True,
                    )
                    # The bot's warm-up lasts past its first reminder sweep: a process's first
                    # sweep looks at every term and loads the iCalendar libraries for the event
                    # series, a one-time step of about 5 MB that is not growth under traffic.
                    to_first_sweep = FIRST_SWEEP_S + 2 - (time.monotonic() - started_at)
                    await window(bot_t, bot_reqs, max(args.warmup_seconds, to_first_sweep), args.concurrency)
                    await window(bare_t, bare_reqs, args.warmup_seconds / 2, args.concurrency)
                    warm_bot = summary(bot_t)
                    bot_t.reset()
                    bare_t.reset()
                    rss_start = rss_mb(bot.pid)
                    rss_series = [rss_start]
                    for i in range(args.windows):
                        await window(bot_t, bot_reqs, args.seconds / args.windows, args.concurrency)
                        rss_series.append(rss_mb(bot.pid))
                        await window(bare_t, bare_reqs, args.bare_seconds / args.windows, args.concurrency)
                        w = bot_t.windows[-1]
                        print(
                            f"  window {i + 1}/{args.windows}: bot {w['ok'] / w['seconds']:.0f} req/s, bare "
                            f"{bare_t.windows[-1]['ok'] / bare_t.windows[-1]['seconds']:.0f} req/s, bot RSS "
                            f"{fmt(rss_series[-1], '.1f')} MB",
                            flush=True,
                        )
                    rss_end = rss_series[-1]
                    await asyncio.sleep(2.0)  # let listeners that run after the ack finish
                    rss_idle = rss_mb(bot.pid)
                    bare_rss = rss_mb(bare.pid)
                    outbox = await outbox_waiting(db_url)
                finally:
                    await bot.astop()
                    await bare.astop()
                problems = log_problems(bot_log)
                bot_tail = log_tail(bot_log, 15)
    b, r = summary(bot_t), summary(bare_t)
    results: dict[str, Any] = {
        "config": {
            "seconds": args.seconds,
            "bare_seconds": args.bare_seconds,
            "windows": args.windows,
            "warmup_seconds": args.warmup_seconds,
            "concurrency": args.concurrency,
            "mix": dict(MIX),
            "people": scale.people,
            "active_ambassadors": scale.active,
            "database": db_label,
            **machine(),
        },
        "bot": b,
        "bare": r,
        "warmup_bot": {k: v for k, v in warm_bot.items() if k != "windows"},
        "throughput_ratio": ratio(b.get("requests_per_second"), r.get("requests_per_second")),
        "p50_ratio": ratio(b.get("p50_ms"), r.get("p50_ms")),
        "p99_ratio": ratio(b.get("p99_ms"), r.get("p99_ms")),
        "rss_mb": {
            "started": rss_started,
            "start": rss_start,
            "end": rss_end,
            "after_idle_2s": rss_idle,
            "series": rss_series,
        },
        "rss_growth_ratio": ratio(rss_end, rss_start),
        "bare_rss_mb": bare_rss,
        "outbox_rows_by_status": outbox,
        "bot_log_problems": len(problems),
        "bot_log_problem_lines": problems[:20],
        "bot_log_tail": bot_tail,
        "webhook_posts_sent": mix.planner.new_posts,
        "webhook_redeliveries_sent": mix.planner.redeliveries,
    }
    results["rows"] = table_rows(results)
    _print(results)
    return results


def table_rows(results: dict[str, Any]) -> list[dict[str, Any]]:
    b, r = results["bot"], results["bare"]
    name = f"mixed traffic ({results['config']['seconds']:.0f} s)"
    return [
        {
            "benchmark": name,
            "measure": "throughput req/s vs bare endpoints",
            "bot": b.get("requests_per_second"),
            "baseline": r.get("requests_per_second"),
            "ratio": results["throughput_ratio"],
        },
        {
            "benchmark": name,
            "measure": "p50 ms vs bare endpoints",
            "bot": b.get("p50_ms"),
            "baseline": r.get("p50_ms"),
            "ratio": results["p50_ratio"],
        },
        {
            "benchmark": name,
            "measure": "p99 ms vs bare endpoints",
            "bot": b.get("p99_ms"),
            "baseline": r.get("p99_ms"),
            "ratio": results["p99_ratio"],
        },
        {
            "benchmark": name,
            "measure": "bot RSS MB: end vs start",
            "bot": results["rss_mb"]["end"],
            "baseline": results["rss_mb"]["start"],
            "ratio": results["rss_growth_ratio"],
        },
        {
            "benchmark": name,
            "measure": f"bot RSS MB after start vs {RSS_BUDGET_MB} MB",
            "bot": results["rss_mb"]["started"],
            "baseline": RSS_BUDGET_MB,
            "ratio": ratio(results["rss_mb"]["started"], RSS_BUDGET_MB),
        },
        {
            "benchmark": name,
            "measure": "non-2xx + errors (must be 0)",
            "bot": b["non_2xx"] + b["errors"],
            "baseline": r["non_2xx"] + r["errors"],
            "ratio": None,
        },
    ]


def _print(results: dict[str, Any]) -> None:
    header = (
        f"{'target':<6} {'ok':>7} {'non2xx':>6} {'err':>4} {'req/s':>7} {'p50 ms':>8} {'p90 ms':>8} "
        f"{'p99 ms':>8} {'max ms':>8}"
    )
    print_header(header, blank_line=True)
    for name in ("bot", "bare"):
        s = results[name]
        if not s.get("n"):
            print(f"{name:<6} {0:>7} {s['non_2xx']:>6} {s['errors']:>4}  (no successful requests)")
            continue
        print(
            f"{name:<6} {s['n']:>7} {s['non_2xx']:>6} {s['errors']:>4} "
            f"{fmt(s['requests_per_second'], '.0f'):>7} {s['p50_ms']:>8.2f} {s['p90_ms']:>8.2f} "
            f"{s['p99_ms']:>8.2f} {s['max_ms']:>8.2f}"
        )
    print(
        f"bot/bare: throughput {fmt(results['throughput_ratio'])}, p50 {fmt(results['p50_ratio'])}, "
        f"p99 {fmt(results['p99_ratio'])}"
    )
    kinds = results["bot"]["by_kind"]
    print(
        "bot by kind (p50 / p99 ms): "
        + ", ".join(
            f"{k} {v['p50_ms']:.1f} / {v['p99_ms']:.1f} (n={v['n']})" for k, v in kinds.items() if v["n"]
        )
    )
    rss = results["rss_mb"]
    print(
        f"bot RSS: {fmt(rss['started'], '.1f')} MB after start, {fmt(rss['start'], '.1f')} MB after "
        f"warm-up, {fmt(rss['end'], '.1f')} MB at the end "
        f"(x{fmt(results['rss_growth_ratio'], '.3f')}), {fmt(rss['after_idle_2s'], '.1f')} MB after 2 s "
        "idle; "
        f"per window: {', '.join(fmt(v, '.1f') for v in rss['series'])}; bare process "
        f"{fmt(results['bare_rss_mb'], '.1f')} MB"
    )
    print(
        f"webhooks: {results['webhook_posts_sent']} new posts, {results['webhook_redeliveries_sent']} "
        f"redeliveries (both targets); bot outbox rows by status: {results['outbox_rows_by_status']}"
    )
    for name in ("bot", "bare"):
        for message, count in results[name]["non_2xx_by_kind"].items():
            print(f"  non-2xx [{name}] x{count}: {message}")
        for message, count in results[name]["error_messages"].items():
            print(f"  error [{name}] x{count}: {message}")
    if results["bot_log_problems"]:
        print(f"bot log: {plural(results['bot_log_problems'], 'error/traceback line')}, first ones:")
        for line in results["bot_log_problem_lines"][:5]:
            print(f"  {line[:200]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.mixed_traffic", description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=100.0, help="measured seconds against the bot")
    parser.add_argument("--bare-seconds", type=float, default=25.0, help="measured seconds against bare")
    parser.add_argument("--windows", type=positive, default=5, help="bot/bare alternations")
    parser.add_argument("--warmup-seconds", type=float, default=8.0)
    parser.add_argument("--concurrency", type=positive, default=8, help="requests in flight")
    parser.add_argument("--people", type=positive, default=20_000)
    parser.add_argument("--ambassadors", type=positive, default=1_000, help="active ambassadors")
    parser.add_argument("--seed", type=int, default=1)
    _common.add_pg_json(
        parser,
        "PostgreSQL admin URL; a throwaway database is created and dropped (default: SQLite)",
    )
    args = parser.parse_args(argv)
    if args.seconds <= 0 or args.bare_seconds <= 0 or args.warmup_seconds < 0:
        parser.error("--seconds and --bare-seconds must be positive")
    return _common.finish(run(args), args.json)


if __name__ == "__main__":
    sys.exit(main())
