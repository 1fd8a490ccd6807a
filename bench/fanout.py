"""The reminder fan-out's parts (for bench.reminder_fanout): the seeded program, the Slack stand-in
ready for it, what arrives there and what the database decided, and the printed table."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import exists, func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bench._common import (
    fmt,
    print_header,
)
from bot.program.text import plural
from bot.sandbox.slack import SlackStandIn
from storage import migrate
from storage.db import make_engine
from storage.events import Reminder
from storage.models import Ambassador, OutboxMessage, Person

DAYS_LEFT = 29  # terms end in 29 days: the 30-day renewal reminder is due, the 7-day one is not
TERM_DAYS = 730
BATCH = 5000
PROGRESS_EVERY = 10.0


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

    async def progress(self) -> tuple[int, int]:
        """(users who have their DM, 429s answered so far)."""
        return self.users_reached(), self.slack.rate_limited

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


def call_counts(slack: SlackStandIn) -> dict[str, int]:
    return dict(Counter(name for name, _params in slack.calls).most_common())


async def db_facts(engine: AsyncEngine) -> dict[str, Any]:
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


async def decided_count(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        stmt = select(func.count()).where(Reminder.key.like("renewal:%:30"))
        return int((await conn.execute(stmt)).scalar_one())


class Progress(Protocol):
    async def progress(self) -> tuple[int, int]: ...


async def wait_done(
    arrivals: Progress,
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
        reached, limited = await arrivals.progress()
        if on_tick is not None:
            await on_tick(reached)
        if all_decided_at is None and time.monotonic() >= next_decided_check:
            decided = await decided_count(engine)
            if decided >= n:
                all_decided_at = time.time()
            next_decided_check += 0.5
        if reached >= n and await _waiting(engine) == 0:
            if all_decided_at is None and await decided_count(engine) >= n:
                all_decided_at = time.time()  # an upper bound: decided between two checks
            return True, all_decided_at
        if time.monotonic() >= next_progress:
            print(
                f"  [{label}] {time.monotonic() - started:5.0f} s: {decided}/{n} reminders decided, "
                f"{reached}/{n} users have their DM, {limited} x 429 so far",
                flush=True,
            )
            next_progress += PROGRESS_EVERY
        await asyncio.sleep(0.25)
    return False, all_decided_at


def summary(
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
    print_header(header, blank_line=True)
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
                f"  {r['label']}: {plural(r['decided_without_outbox_row'], 'reminder')} recorded as sent in "
                "`reminders` have NO outbox row: decided, never to be delivered"
            )
        if not r["finished"] and r["label"] != "naive sdk":
            print(f"  {r['label']}: did NOT finish before the cap")
