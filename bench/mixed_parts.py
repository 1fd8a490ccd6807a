"""The parts of bench.mixed_traffic: the processes' memory and logs, the traffic mix (who sends
what, drawn from fixed weights), the timed windows, the reminder messages the clicks go to, and the
per-target summary."""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import select

from bench._common import latency_summary
from bench.synthetic import Program
from bench.webhooks import Delivery, Planner
from bot.program.events.series import occurrence_key
from bot.sandbox.discourse import DiscourseActor
from bot.sandbox.harness.stack import (
    AMB_CHANNEL,
    BOT_TOKEN,
    MOD,
    WEBHOOK_SECRET,
)
from bot.sandbox.slack import SlackActor
from handlers.slack.blocks import render
from storage.db import make_engine
from storage.events import EventSeries
from storage.models import OutboxMessage

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


def summary(target: Target) -> dict[str, Any]:
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
