"""The database briefly locked or unreachable: Slack and Discourse get a clear answer, nothing is
half-written, and the delivery Discourse retries afterwards is processed exactly once."""

from __future__ import annotations

import asyncio
import contextlib
import json
import sqlite3
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy.engine import make_url

from bot.sandbox.harness.stack import ALICE, MOD, MOD_CHANNEL, Stack, start_stack
from bot.slack import SORRY
from tests.faults.helpers import audit_count

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "discourse"
INTRO = {"intro_topic_id": 10, "intro_category_id": 4}  # the captured post 12 is in topic 10, by user1


def intro_post() -> tuple[bytes, dict[str, str]]:
    fx = json.loads((FIXTURES / "post_created.request.json").read_text(encoding="utf-8"))
    headers = {k: str(v) for k, v in fx["headers"].items() if v is not None and k != "Content-Length"}
    return fx["raw_body_compact"].encode(), headers


async def send_intro(stack: Stack, event_id: int) -> httpx.Response:
    """Discourse delivering the captured intro post (a retry carries a new event id)."""
    raw, headers = intro_post()
    headers["X-Discourse-Event-Id"] = str(event_id)
    headers["X-Discourse-Event-Signature"] = stack.forum_actor.signature(raw)
    return await stack.forum_actor.send_raw(raw, headers)


async def make_user1_ambassador(stack: Stack) -> None:
    stack.forum.add_user("user1", user_id=1)
    review = await stack.apply(forum_username="user1")
    assert (await stack.actor.click(MOD, MOD_CHANNEL, review["ts"], "application_approve")).status_code == 200
    await stack.settle()


async def status_text(stack: Stack) -> str:
    resp = await stack.actor.slash(ALICE, "status")
    assert resp.status_code == 200, resp.text
    return str(resp.json().get("text", ""))


def pg_admin_dsn(db_url: str) -> tuple[str, str]:
    """(a DSN for the server's maintenance database, the bot's database name)."""
    url = make_url(db_url)
    admin = url.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    return admin, str(url.database)


@contextlib.contextmanager
def sqlite_exclusive(db_url: str) -> Iterator[sqlite3.Connection]:
    """Another process-like connection holding SQLite's write lock."""
    conn = sqlite3.connect(make_url(db_url).database or "", isolation_level=None, check_same_thread=False)
    try:
        conn.execute("BEGIN EXCLUSIVE")
        yield conn
    finally:
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")
        conn.close()


@contextlib.asynccontextmanager
async def pg_table_lock(db_url: str, table: str) -> AsyncIterator[asyncpg.Connection]:
    """Another client holding a table lock that blocks writes (reads still work)."""
    url = make_url(db_url).set(drivername="postgresql").render_as_string(hide_password=False)
    conn = await asyncpg.connect(url)
    try:
        tr = conn.transaction()
        await tr.start()
        await conn.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
        try:
            yield conn
        finally:
            await tr.rollback()
    finally:
        await conn.close()


async def wait_until_blocked(db_url: str, backend: str) -> None:
    """PostgreSQL: until some session of the bot waits for the lock (no sleeping on a guess)."""
    if backend != "postgres":
        return
    admin, name = pg_admin_dsn(db_url)
    conn = await asyncpg.connect(admin)
    try:
        for _ in range(200):
            n = await conn.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock'", name
            )
            if n:
                return
            await asyncio.sleep(0.05)
        raise AssertionError("the bot never waited for the lock")
    finally:
        await conn.close()


async def test_a_briefly_locked_database_delays_a_webhook_which_then_counts_once(
    db_url: str, backend: str
) -> None:
    """Another client holds the write lock (SQLite: BEGIN EXCLUSIVE; PostgreSQL: LOCK TABLE) while
    Discourse delivers the intro post. Reads still answer (the status command works); the webhook
    waits for the lock rather than failing, is answered once it is released, and a retry of the
    same post is recognised as a duplicate: the step is completed once."""
    async with start_stack(db_url, discourse=INTRO) as stack:
        await make_user1_ambassador(stack)
        lock = (
            _sync_as_async(sqlite_exclusive(db_url))
            if backend == "sqlite"
            else pg_table_lock(db_url, "onboarding_steps")
        )
        async with lock:
            delivery = asyncio.create_task(send_intro(stack, event_id=501))
            await wait_until_blocked(db_url, backend)
            assert "0 of 4 done" in await status_text(stack)  # reads are not blocked
            await asyncio.wait({delivery}, timeout=1.0)
            assert not delivery.done()  # neither failed nor wrote past the lock
        first = await delivery
        assert first.status_code == 200 and first.json()["result"] == "done", first.text
        retry = await send_intro(stack, event_id=502)
        assert retry.status_code == 200 and retry.json()["result"] == "duplicate"
        assert "1 of 4 done" in await status_text(stack)
        assert await audit_count(stack, "onboarding.step_completed") == 1


@contextlib.asynccontextmanager
async def _sync_as_async(cm: contextlib.AbstractContextManager[Any]) -> AsyncIterator[Any]:
    with cm as value:
        yield value


@contextlib.asynccontextmanager
async def pg_unreachable(db_url: str) -> AsyncIterator[None]:
    """The bot's database refuses connections and its open ones are cut (a failover, a restart)."""
    admin, name = pg_admin_dsn(db_url)
    conn = await asyncpg.connect(admin)
    try:
        await conn.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        await conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = $1 AND pid <> pg_backend_pid()",
            name,
        )
        try:
            yield
        finally:
            await conn.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
    finally:
        await conn.close()


async def test_postgres_unreachable_webhook_503_slack_sorry_not_ready_then_retry_counts_once(
    db_url: str, backend: str
) -> None:
    """While PostgreSQL is unreachable: the webhook is answered 503 with Retry-After (so Discourse
    delivers it again) and changes nothing; the slash command gets the friendly "try again" note
    (not an HTTP error); /readyz and /healthz say not ready. Once the database is back, Discourse's
    retry is processed once, a further retry is a duplicate, and the outbox works again."""
    if backend != "postgres":
        pytest.skip("SQLite is a file beside the process: it can be locked (above), not unreachable")
    async with start_stack(db_url, discourse=INTRO) as stack, httpx.AsyncClient() as http:
        await make_user1_ambassador(stack)
        async with pg_unreachable(db_url):
            webhook = await send_intro(stack, event_id=601)
            assert webhook.status_code == 503, webhook.text
            assert webhook.headers.get("retry-after")
            assert "deliver again later" in webhook.json()["error"]
            slash = await stack.actor.slash(ALICE, "status")
            assert slash.status_code == 200
            assert slash.json()["text"] == SORRY
            ready = await http.get(f"{stack.bot_url}/readyz")
            assert ready.status_code == 503 and "database unreachable" in " ".join(ready.json()["problems"])
            assert (await http.get(f"{stack.bot_url}/healthz")).status_code == 503

        assert (await http.get(f"{stack.bot_url}/readyz")).status_code == 200
        retried = await send_intro(stack, event_id=602)
        assert retried.status_code == 200 and retried.json()["result"] == "done", retried.text
        again = await send_intro(stack, event_id=603)
        assert again.json()["result"] == "duplicate"
        assert "1 of 4 done" in await status_text(stack)
        assert await audit_count(stack, "onboarding.step_completed") == 1
        # The worker survived the outage: new work is still delivered.
        await stack.apply(user="U0BOB", name="Bob Example", forum_username="bob")
        assert len(stack.review_messages()) == 2
