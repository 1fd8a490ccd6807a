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
/proc) after the warm-up and at the end. Nothing is asserted on time.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import select

from bench import _common
from bench._common import database, fmt, latency_summary, machine, machine_line, positive, ratio
from bench.db_scale import load
from bench.synthetic import Program, Scale
from bench.webhooks import Delivery, Planner
from bot.program.events import occurrence_key
from bot.sandbox.discourse import DiscourseActor
from bot.sandbox.harness.procs import ServerProcess, bot_argv, log_tail, write_config
from bot.sandbox.harness.stack import (
    AMB_CHANNEL,
    BOT_TOKEN,
    MOD,
    SIGNING_SECRET,
    WEBHOOK_SECRET,
    TomlValue,
    make_standins,
)
from bot.sandbox.http import free_port, serve_asgi
from bot.sandbox.slack import SlackActor
from handlers.slack.blocks import render
from storage.db import make_engine
from storage.events import EventSeries
from storage.models import OutboxMessage

INTRO_TOPIC = 10  # webhook posts go to another topic: recorded (deduplicated) and "ignored"
CONFIG_CHANGES: dict[str, dict[str, TomlValue | None] | None] = {  # to the harness's bot config
    "slack": {"ambassador_channel": AMB_CHANNEL},
    "discourse": {"admin_requests_per_minute": None, "intro_topic_id": INTRO_TOPIC},
    "outbox": None,
}
MIX: tuple[tuple[str, int], ...] = (  # kind, weight
    ("status", 25),
    ("find", 15),
    ("help", 10),
    ("apply", 5),
    ("rsvp", 20),
    ("webhook", 25),
)
FIND_QUERIES = ("kubernetes berlin", "python", "rust lisbon", "security", "docker tokyo", "mentoring")
RSVP_MESSAGES = 4  # reminder messages (one per upcoming occurrence) the clicks are spread over


# ---------------------------------------------------------------------------------------------- processes


def rss_mb(pid: int) -> float | None:
    """Resident set size of a process, from /proc/<pid>/status (Linux)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text(encoding="ascii").splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        return None
    return None


def log_problems(path: Path) -> list[str]:
    """Lines of the bot's log at ERROR or above, and tracebacks."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    return [
        line
        for line in text.splitlines()
        if "Traceback" in line or " ERROR " in line or " CRITICAL " in line or '"level": "error"' in line
    ]


def events_toml(start: str) -> str:
    """The program settings and a daily meetup starting at `start`, appended to the config."""
    return f"""[program]
guidelines_url = "https://example.org/guidelines"

[[events]]
key = "meetup"
title = "Daily ambassador call"
rrule = "FREQ=DAILY"
start = "{start}"
timezone = "UTC"
duration_minutes = 60
link = "https://meet.example.org/ambassadors"
host = "{MOD}"
reminders = ["1h"]
"""


# ---------------------------------------------------------------------------------------------- traffic


@dataclass
class Request:
    kind: str
    user: str = ""
    text: str = ""  # slash command text, or the RSVP button's action id
    message_ts: str = ""
    delivery: Delivery | None = None
    done: Callable[[], None] | None = None  # a webhook: it may be redelivered once answered

    async def send(self, slack: SlackActor, forum: DiscourseActor) -> httpx.Response:
        if self.delivery is not None:
            return await forum.send_raw(self.delivery.body, self.delivery.headers)
        if self.kind == "rsvp":
            return await slack.click(self.user, AMB_CHANNEL, self.message_ts, self.text)
        return await slack.slash(self.user, self.text)


@dataclass
class Target:
    name: str
    slack: SlackActor
    forum: DiscourseActor
    samples: list[float] = field(default_factory=list)
    by_kind: dict[str, list[float]] = field(default_factory=dict)
    non_2xx: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0  # time spent in this target's measured windows
    windows: list[dict[str, Any]] = field(default_factory=list)

    def reset(self) -> None:
        self.samples, self.by_kind, self.seconds, self.windows = [], {}, 0.0, []
        self.non_2xx, self.errors = Counter(), Counter()


class Mix:
    """An endless, seeded sequence of requests (the same sequence for both targets)."""

    def __init__(self, program: Program, rsvp_messages: list[str], seed: int) -> None:
        self.rng = random.Random(seed)
        self.program = program
        self.messages = rsvp_messages
        self.planner = Planner(WEBHOOK_SECRET, dup_share=0.2, seed=seed, keep_alive=False)
        scale = program.scale
        self.ambassadors = [program.slack_id(i) for i in range(1, scale.active + 1)]
        self.outsiders = [
            program.slack_id(i) for i in range(scale.active + scale.alumni + 1, scale.people + 1)
        ]
        self.kinds = [k for k, _w in MIX]
        self.weights = [w for _k, w in MIX]

    def requests(self) -> Iterator[Request]:
        rng = self.rng
        while True:
            kind = rng.choices(self.kinds, self.weights)[0]
            if kind == "status":
                yield Request(kind, rng.choice(self.ambassadors), "status")
            elif kind == "find":
                yield Request(kind, rng.choice(self.ambassadors), f"find {rng.choice(FIND_QUERIES)}")
            elif kind in ("help", "apply"):
                yield Request(kind, rng.choice(self.outsiders), kind)
            elif kind == "rsvp":
                user, ts = rng.choice(self.ambassadors), rng.choice(self.messages)
                yield Request(kind, user, f"event_rsvp_{rng.choice(('going', 'maybe', 'no'))}", ts)
            else:
                delivery, done = self.planner.one()
                yield Request(kind, delivery=delivery, done=done)


async def window(target: Target, requests: Iterator[Request], seconds: float, concurrency: int) -> None:
    """Keep ``concurrency`` requests in flight at ``target`` for ``seconds``."""
    started = time.perf_counter()
    stop_at = started + seconds
    counts: Counter[str] = Counter()

    async def worker() -> None:
        while time.perf_counter() < stop_at:
            req = next(requests)
            t0 = time.perf_counter()
            try:
                response = await req.send(target.slack, target.forum)
            except Exception as exc:
                target.errors[f"{req.kind}: {type(exc).__name__}: {exc}"[:200]] += 1
                continue
            elapsed = time.perf_counter() - t0
            if req.done is not None:
                req.done()
            if not 200 <= response.status_code < 300:
                target.non_2xx[f"{req.kind} HTTP {response.status_code}"] += 1
                continue
            target.samples.append(elapsed)
            target.by_kind.setdefault(req.kind, []).append(elapsed)
            counts[req.kind] += 1

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    took = time.perf_counter() - started
    target.seconds += took
    target.windows.append({"seconds": took, "ok": sum(counts.values()), "by_kind": dict(counts)})


async def post_rsvp_messages(db_url: str, slack_url: str, first: datetime) -> list[str]:
    """The meetup reminders the RSVP buttons are on, posted as the bot's outbox would."""
    engine = make_engine(db_url)
    try:
        async with engine.connect() as conn:
            series_id = (
                await conn.execute(select(EventSeries.id).where(EventSeries.key == "meetup"))
            ).scalar_one()
    finally:
        await engine.dispose()
    client = AsyncWebClient(token=BOT_TOKEN, base_url=f"{slack_url}/api/")
    stamps = []
    for day in range(RSVP_MESSAGES):
        occ = first + timedelta(days=day)
        data = {
            "series_id": series_id,
            "title": "Daily ambassador call",
            "start": occ.isoformat(),
            "timezone": "UTC",
            "minutes": 60,
            "link": "https://meet.example.org/ambassadors",
            "host": MOD,
            "occurrence": occurrence_key(occ),
            "counts": {},
            "kind": "meetup",
        }
        text, blocks = render("event_reminder", data)
        answer = await client.chat_postMessage(channel=AMB_CHANNEL, text=text, blocks=blocks)
        stamps.append(str(answer["ts"]))
    return stamps


async def outbox_waiting(db_url: str) -> dict[str, int]:
    engine = make_engine(db_url)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(select(OutboxMessage.status, OutboxMessage.id))
            return dict(Counter(str(status) for status, _id in rows.all()))
    finally:
        await engine.dispose()


def _summary(target: Target) -> dict[str, Any]:
    out = latency_summary(target.samples)
    out["seconds"] = target.seconds
    out["requests_per_second"] = len(target.samples) / target.seconds if target.seconds else None
    out["non_2xx"] = sum(target.non_2xx.values())
    out["non_2xx_by_kind"] = dict(target.non_2xx)
    out["errors"] = sum(target.errors.values())
    out["error_messages"] = dict(target.errors.most_common(10))
    out["by_kind"] = {k: latency_summary(v) for k, v in sorted(target.by_kind.items())}
    out["windows"] = target.windows
    return out


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
                    print(
                        f"  bot started in {bot_start:.1f} s (RSS {fmt(rss_mb(bot.pid), '.0f')} MB); "
                        f"warm-up {args.warmup_seconds:g} s each, then {args.windows} x (bot "
                        f"{args.seconds / args.windows:.0f} s, bare "
                        f"{args.bare_seconds / args.windows:.0f} s)",
                        flush=True,
                    )
                    await window(bot_t, bot_reqs, args.warmup_seconds, args.concurrency)
                    await window(bare_t, bare_reqs, args.warmup_seconds / 2, args.concurrency)
                    warm_bot = _summary(bot_t)
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
    b, r = _summary(bot_t), _summary(bare_t)
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
        "rss_mb": {"start": rss_start, "end": rss_end, "after_idle_2s": rss_idle, "series": rss_series},
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
    print()
    print(header)
    print("-" * len(header))
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
        f"bot RSS: {fmt(rss['start'], '.1f')} MB after warm-up, {fmt(rss['end'], '.1f')} MB at the end "
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
        print(f"bot log: {results['bot_log_problems']} error/traceback line(s), first ones:")
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
