"""The bot process killed (SIGKILL) or stopped (SIGTERM) in the middle of work, then started again:
no state change lost, no message or badge twice, the backlog cleared."""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import sqlite3
import subprocess
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from bot.platforms.outbox_worker import IN_FLIGHT
from bot.sandbox.discourse import DiscourseStandIn
from bot.sandbox.faults import Hang
from bot.sandbox.harness.procs import BotProcess, eventually, waiting_rows, write_config
from bot.sandbox.harness.stack import ALICE, MOD, MOD_CHANNEL, SIGNING_SECRET, WEBHOOK_SECRET, make_standins
from bot.sandbox.http import free_port
from bot.sandbox.slack import SlackActor, SlackStandIn
from storage.db import make_engine, make_sessionmaker
from storage.forum import BadgeGrant
from storage.models import Ambassador, Application, AuditEntry, OutboxMessage, Person

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "discourse"
FAN_OUT = 40  # ambassadors whose renewal reminder is due at once


@dataclass
class Env:
    slack: SlackStandIn
    forum: DiscourseStandIn
    bot: BotProcess
    url: str
    db_url: str
    actor: SlackActor

    async def start(self) -> None:
        await self.bot.start()

    async def drained(self) -> None:
        async def idle() -> bool:
            return await waiting_rows(self.db_url) == 0

        await eventually(idle, "the outbox to drain", timeout=60)


@contextlib.asynccontextmanager
async def bot_env(db_url: str, tmp_path: Path, extra: str = "") -> AsyncIterator[Env]:
    slack, forum = make_standins()
    async with slack.serve() as slack_url, forum.serve() as forum_url:
        port = free_port()
        config = tmp_path / "config.toml"
        write_config(config, db_url, port, slack_url, forum_url, extra=extra)
        bot = BotProcess(config, port, tmp_path / "bot.log")
        migrated = bot.cli("migrate")
        assert migrated.returncode == 0, migrated.stderr
        url = f"http://127.0.0.1:{port}"
        try:
            async with SlackActor(slack, url, SIGNING_SECRET) as actor:
                yield Env(slack, forum, bot, url, db_url, actor)
        finally:
            slack.faults.calm()
            forum.faults.calm()
            bot.stop()


async def until(check: Callable[[], bool], what: str, timeout: float = 30) -> None:
    async def probe() -> bool:
        return check()

    await eventually(probe, what, timeout)


async def open_apply_modal(env: Env, user: str = ALICE) -> dict[str, Any]:
    env.slack.clear_views(user)
    resp = await env.actor.slash(user, "apply")
    assert resp.status_code == 200
    await until(lambda: env.slack.last_view_for(user) is not None, "the application modal")
    view = env.slack.last_view_for(user)
    assert view is not None
    return view


def answers(forum_username: str = "alice") -> dict[str, dict[str, str]]:
    form = {
        "name": "Alice Example",
        "forum_username": forum_username,
        "location": "Lisbon",
        "timezone": "Europe/Lisbon",
        "expertise": "Kubernetes",
        "motivation": "Helping newcomers.",
    }
    return {k: {k: v} for k, v in form.items()}


async def query(db_url: str, stmt: Any) -> list[Any]:
    engine = make_engine(db_url)
    try:
        async with make_sessionmaker(engine)() as s:
            return list((await s.execute(stmt)).scalars())
    finally:
        await engine.dispose()


def review_messages(env: Env) -> list[dict[str, Any]]:
    return [m for m in env.slack.messages_in(MOD_CHANNEL) if "application" in m.get("text", "").lower()]


@contextlib.asynccontextmanager
async def writes_blocked(db_url: str, table: str) -> AsyncIterator[Callable[[], Any]]:
    """Another client holds the write lock, so the bot's write waits inside its transaction;
    yields an awaitable "until the bot is waiting" (PostgreSQL can tell; SQLite cannot)."""
    if db_url.startswith("sqlite"):
        conn = sqlite3.connect(make_url(db_url).database or "", isolation_level=None)
        conn.execute("BEGIN EXCLUSIVE")

        async def not_observable() -> None:
            await asyncio.sleep(1.0)  # the bot's write is waiting for SQLite's busy timeout (30 s)

        try:
            yield not_observable
        finally:
            conn.execute("ROLLBACK")
            conn.close()
        return
    url = make_url(db_url)
    dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    pg = await asyncpg.connect(dsn)
    tr = pg.transaction()
    await tr.start()
    await pg.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")

    async def bot_waits() -> None:
        for _ in range(300):
            n = await pg.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock'",
                url.database,
            )
            if n:
                return
            await asyncio.sleep(0.05)
        raise AssertionError("the bot never waited for the lock")

    try:
        yield bot_waits
    finally:
        await tr.rollback()
        await pg.close()


# ---------------------------------------------------------------------------- SIGKILL


async def test_killed_during_a_modal_submission_then_resubmitted_counts_once(
    db_url: str, tmp_path: Path
) -> None:
    """The bot dies while saving a submitted application (its write is waiting for the database).
    After the restart nothing of it exists, so the applicant's second try is accepted: one
    application, one review message. Then it dies again after saving but before the review
    message went out: after the restart the review is posted exactly once, and a third try is
    refused instead of creating a second application."""
    async with bot_env(db_url, tmp_path) as env:
        await env.start()
        view = await open_apply_modal(env)
        async with writes_blocked(db_url, "applications") as bot_waits:
            submit = asyncio.create_task(env.actor.submit_view(ALICE, view["id"], answers()))
            await bot_waits()
            env.bot.kill()
            with pytest.raises(httpx.HTTPError):
                await submit
        assert await query(db_url, select(Application)) == []
        assert await query(db_url, select(AuditEntry)) == []

        await env.start()
        held: Hang = env.slack.hang_next("chat.postMessage", seconds=60, after_effect=False)
        view = await open_apply_modal(env)
        resp = await env.actor.submit_view(ALICE, view["id"], answers())
        assert resp.status_code == 200 and "Application sent" in resp.text, resp.text
        await asyncio.wait_for(held.started.wait(), timeout=30)
        env.bot.kill()  # the review message was on its way to Slack
        env.slack.faults.release_holds()

        await env.start()
        await env.drained()
        await until(lambda: len(review_messages(env)) == 1, "the review message")
        # A third try: the form is replaced by the reason it cannot be sent again.
        await open_apply_modal(env)
        await until(
            lambda: "already have an application" in json.dumps(env.slack.last_view_for(ALICE)),
            "the refusal",
        )
        await env.drained()

    apps = await query(db_url, select(Application))
    assert [(a.status, a.forum_username) for a in apps] == [("pending", "alice")]
    assert len(review_messages(env)) == 1
    actions = [a.action for a in await query(db_url, select(AuditEntry))]
    assert actions.count("application.submitted") == 1


async def test_killed_during_a_webhook_the_retried_delivery_counts_once(db_url: str, tmp_path: Path) -> None:
    """A forum moderator grants a badge; the bot dies while handling that webhook (it is waiting
    on the forum for the user's name). Discourse delivers it again after the restart, with a new
    event id, twice: the grant is recorded once."""
    async with bot_env(db_url, tmp_path) as env:
        env.forum.add_user("user1", user_id=1)
        await env.start()
        view = await open_apply_modal(env)
        assert (await env.actor.submit_view(ALICE, view["id"], answers("user1"))).status_code == 200
        await until(lambda: bool(review_messages(env)), "the review message")
        review = review_messages(env)[-1]
        await env.actor.click(MOD, MOD_CHANNEL, review["ts"], "application_approve")
        # The click is acked before the approval is saved: with nothing in the outbox yet,
        # drained() alone could return before it, and the kill below would undo the approval.
        await until(lambda: bool(env.slack.dms_to(ALICE)), "the welcome message")
        await env.drained()

        hangs = [
            env.forum.hang_next("GET", "/admin/users/", seconds=60),
            env.forum.hang_next("GET", "/admin/badges", seconds=60),
        ]
        fx = json.loads((FIXTURES / "user_badge_granted.request.json").read_text(encoding="utf-8"))
        raw = fx["raw_body_compact"].encode()
        headers = {k: str(v) for k, v in fx["headers"].items() if v is not None and k != "Content-Length"}

        async def deliver(event_id: int) -> httpx.Response:
            signed = {**headers, "X-Discourse-Event-Id": str(event_id)}
            signed["X-Discourse-Event-Signature"] = _sign(raw)
            async with httpx.AsyncClient(timeout=30) as http:
                return await http.post(f"{env.url}/discourse/webhooks", content=raw, headers=signed)

        first = asyncio.create_task(deliver(71))
        started = [asyncio.create_task(h.started.wait()) for h in hangs]
        await asyncio.wait(started, timeout=30, return_when=asyncio.FIRST_COMPLETED)
        assert any(h.started.is_set() for h in hangs), "the webhook never asked the forum"
        env.bot.kill()
        with pytest.raises(httpx.HTTPError):
            await first
        for task in started:
            task.cancel()
        for h in hangs:
            h.times = 0
        env.forum.faults.release_holds()

        await env.start()
        second, third = await deliver(72), await deliver(73)
        assert second.status_code == 200 and second.json()["result"] == "done", second.text
        assert third.status_code == 200 and third.json()["result"] == "duplicate", third.text

    grants = await query(db_url, select(BadgeGrant).where(BadgeGrant.badge_id == 13))
    assert [(g.source, g.status) for g in grants] == [("forum", "granted")]


def _sign(body: bytes) -> str:
    import hashlib
    import hmac

    return "sha256=" + hmac.new(WEBHOOK_SECRET.encode(), body, hashlib.sha256).hexdigest()


async def seed_renewals_due(db_url: str, slack: SlackStandIn, n: int) -> list[str]:
    """n active ambassadors whose term ends in 20 days: each is owed one renewal reminder DM."""
    now = datetime.now(UTC)
    users = [f"U9F{i:04d}" for i in range(n)]
    engine = make_engine(db_url)
    try:
        async with make_sessionmaker(engine)() as s, s.begin():
            for uid in users:
                slack.add_user(uid, uid.lower())
                person = Person(slack_user_id=uid, display_name=f"Ambassador {uid}")
                s.add(person)
                await s.flush()
                s.add(
                    Ambassador(
                        person_id=person.id,
                        status="active",
                        term_start=now - timedelta(days=710),
                        term_end=now + timedelta(days=20),
                    )
                )
    finally:
        await engine.dispose()
    return users


def dm_counts(slack: SlackStandIn, users: list[str]) -> dict[int, int]:
    """How many ambassadors got 0, 1, 2… reminder DMs."""
    out: dict[int, int] = {}
    for uid in users:
        n = len([m for m in slack.dms_to(uid) if "renew" in m.get("text", "").lower()])
        out[n] = out.get(n, 0) + 1
    return out


def delivered_dms(slack: SlackStandIn, users: list[str]) -> int:
    return sum(1 for uid in users if slack.dms_to(uid))


REMINDERS_FAST = "[reminders]\nsweep_seconds = 0.5\n"


async def test_killed_during_a_reminder_fan_out_each_ambassador_gets_one_dm(
    db_url: str, tmp_path: Path
) -> None:
    """Forty renewal reminders are due at once; the bot is killed while sending them (one post
    is on its way to Slack at that moment). After the restart every ambassador has exactly one."""
    async with bot_env(db_url, tmp_path, extra=REMINDERS_FAST) as env:
        users = await seed_renewals_due(db_url, env.slack, FAN_OUT)
        await env.start()
        await until(lambda: delivered_dms(env.slack, users) >= 8, "the fan-out to start", timeout=60)
        held = env.slack.hang_next("chat.postMessage", seconds=60, after_effect=True)
        await asyncio.wait_for(held.started.wait(), timeout=30)
        env.bot.kill()
        env.slack.faults.release_holds()
        assert 0 < delivered_dms(env.slack, users) < FAN_OUT

        await env.start()
        await until(lambda: delivered_dms(env.slack, users) == FAN_OUT, "every reminder", timeout=90)
        await env.drained()

    assert dm_counts(env.slack, users) == {1: FAN_OUT}
    rows = await query(db_url, select(OutboxMessage).where(OutboxMessage.kind == "slack.dm"))
    assert len(rows) == FAN_OUT and all(r.status == "delivered" for r in rows)


# ---------------------------------------------------------------------------- SIGTERM


async def test_sigterm_during_a_fan_out_drains_gracefully_and_a_restart_finishes_the_rest(
    db_url: str, tmp_path: Path
) -> None:
    """SIGTERM while reminders are going out and one post hangs on Slack: the process stops
    within a bound and cleanly (no traceback), cuts the hung delivery short after its grace
    period and gives its lease back (nothing is left claimed by a dead process), and after a
    restart every ambassador has exactly one reminder."""
    # More than a lane has under way at once: the ones under way finish (or, hung, are cut
    # short), and some are still queued when SIGTERM comes.
    fan_out = 4 * IN_FLIGHT
    async with bot_env(db_url, tmp_path, extra=REMINDERS_FAST) as env:
        users = await seed_renewals_due(db_url, env.slack, fan_out)
        await env.start()
        await until(lambda: delivered_dms(env.slack, users) >= 5, "the fan-out to start", timeout=60)
        held = env.slack.hang_next("chat.postMessage", seconds=60, after_effect=True)
        await asyncio.wait_for(held.started.wait(), timeout=30)

        proc = env.bot.proc
        assert proc is not None
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        try:
            code = await asyncio.to_thread(proc.wait, 30)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise AssertionError("the bot did not stop within 30 s of SIGTERM") from None
        stopped_in = time.monotonic() - started
        env.slack.faults.release_holds()
        assert code == 0, code  # a requested stop that drained is a success
        log = env.bot.log.read_text()
        assert "Traceback" not in log, log
        assert stopped_in < 30
        leased = await query(
            db_url,
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.locked_until.is_not(None), OutboxMessage.status == "in_flight"),
        )
        assert leased == [0]  # the cut-short delivery was released, not left leased
        assert 0 < delivered_dms(env.slack, users) < fan_out

        await env.start()
        await until(lambda: delivered_dms(env.slack, users) == fan_out, "every reminder", timeout=90)
        await env.drained()

    assert dm_counts(env.slack, users) == {1: fan_out}
