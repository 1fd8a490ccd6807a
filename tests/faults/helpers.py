"""Shared pieces of the fault tests: the approval everybody waits for, and what "exactly once"
looks like on the stand-ins."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from bot.sandbox.harness.stack import (
    ALICE,
    BADGE_ID,
    GROUP,
    MOD,
    MOD_CHANNEL,
    FakeClock,
    Stack,
)
from bot.sandbox.world import listeners_running
from storage.models import Application, AuditEntry, OutboxMessage


async def approve(stack: Stack, review: dict[str, Any]) -> None:
    """The moderator clicks Approve: the click is answered and the decision is committed even
    while the platforms are failing (delivery happens later, from the outbox)."""
    resp = await stack.actor.click(MOD, MOD_CHANNEL, review["ts"], "application_approve")
    assert resp.status_code == 200, resp.text
    await stack.listeners_done()
    async with stack.runtime.uow() as uow:
        apps = list((await uow.session.execute(select(Application))).scalars())
    assert [a.status for a in apps] == ["approved"]


def assert_alice_onboarded_once(stack: Stack, review_ts: str) -> None:
    """Badge, group and welcome DM each exactly once; the review message says approved."""
    assert stack.forum.badges_of("alice") == ["Ambassador"]
    assert len([ub for ub in stack.forum.user_badges if ub["badge_id"] == BADGE_ID]) == 1
    assert "alice" in stack.forum.members_of(GROUP)
    dms = stack.slack.dms_to(ALICE)
    assert len(dms) == 1, [m.get("text") for m in dms]
    assert len(stack.review_messages()) == 1
    updated = stack.slack.find_message(MOD_CHANNEL, review_ts)
    assert updated is not None and "approved" in updated["text"].lower()


async def rows_by_kind(stack: Stack) -> dict[str, list[OutboxMessage]]:
    out: dict[str, list[OutboxMessage]] = {}
    for row in await stack.outbox_rows():
        out.setdefault(row.kind, []).append(row)
    return out


async def audit_count(stack: Stack, action: str) -> int:
    async with stack.runtime.uow() as uow:
        rows = (await uow.session.execute(select(AuditEntry).where(AuditEntry.action == action))).scalars()
        return len(list(rows))


async def worker_idle(stack: Stack, clock: FakeClock, timeout: float = 20.0) -> list[OutboxMessage]:
    """Kick the worker until no waiting row is due at the fake clock's time (each due row has
    had its attempt); returns the rows still waiting."""
    deadline = time.monotonic() + timeout
    while True:
        stack.runtime.worker.kick()
        await asyncio.sleep(0.05)
        rows = [r for r in await stack.outbox_rows() if r.status in ("pending", "in_flight")]
        now = clock.now()
        busy = listeners_running() or any(
            r.next_attempt_at.replace(tzinfo=now.tzinfo) <= now
            or (r.locked_until is not None and r.locked_until.replace(tzinfo=now.tzinfo) > now)
            for r in rows
        )
        if not busy:
            return rows
        if time.monotonic() > deadline:
            raise AssertionError(f"worker still busy: {[(r.kind, r.status, r.attempts) for r in rows]}")


async def run_fake_time(stack: Stack, clock: FakeClock, limit: int = 200) -> int:
    """Step the fake clock from one retry to the next until nothing waits; returns the steps."""
    for step in range(limit):
        waiting = await worker_idle(stack, clock)
        if not waiting:
            return step
        nxt = min(r.next_attempt_at.replace(tzinfo=clock.now().tzinfo) for r in waiting)
        clock.set(max(nxt, clock.now()) + timedelta(milliseconds=1))
    raise AssertionError("the backlog never cleared")
