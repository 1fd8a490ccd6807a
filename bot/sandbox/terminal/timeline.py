"""``advance`` and ``now``: let time pass in the sandbox.

``advance 2y`` does not jump: it steps the clock through every moment something comes due in
between, in order, and at each runs what the scheduler (bot/runtime.py ``build_runtime``) would
have run then — the reminder sweep (event and booking reminders, renewal reminders, lapses,
onboarding nudges, the weekly digest), group auto-approval, the nightly forum sync and the
outbox's retries — and delivers what they queued before going on.

The moments are found by asking the sweep's own due-finders (bot/program/reminders/sweep.py
``FINDERS``) what would be due at the end of a window of at most a week (they look back eight
days, ``LOOKBACK``), and by reading the due times of group requests and outbox retries.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from bot.config import Settings
from bot.program.reminders.due import Reading
from bot.program.reminders.sweep import FINDERS
from bot.program.terms.lapses import lapses
from bot.runtime import Runtime
from bot.sandbox.discourse import DiscourseStandIn
from bot.sandbox.terminal.clock import SandboxClock, describe, parse_duration, span
from bot.sandbox.terminal.screen import Alike, Screen
from bot.sandbox.world import listeners_running
from storage.enums import OUTBOX_WAITING, Platform, UserGroupStatus
from storage.groups import UserGroup
from storage.models import OutboxMessage

WINDOW = timedelta(days=7)  # shorter than the finders' look-back (LOOKBACK, eight days)
# A moment is stepped to a second after it is due: every finder counts "due at" as due.
AFTER = timedelta(seconds=1)


async def due_moments(rt: Runtime, after: datetime, until: datetime) -> list[datetime]:
    """Moments in (after, until] at which something comes due, sorted."""
    found: set[datetime] = set()
    reading = Reading(rt.uow, rt.settings)
    for finder in FINDERS:
        if finder is lapses:
            continue  # a lapse says "due now"; its moment is read below
        found.update(await _finder_moments(reading, finder, until))
    grace = timedelta(days=rt.settings.renewals.grace_days)
    async with rt.uow() as uow:
        terms = await uow.terms.active(ending_before=until - grace)
        found.update(a.term_end + grace for a, _p in terms)
        hours = rt.settings.groups.auto_approve_hours
        if hours > 0:
            stmt = select(UserGroup.submitted_at).where(UserGroup.status == UserGroupStatus.PENDING)
            found.update(t + timedelta(hours=hours) for t in (await uow.session.execute(stmt)).scalars())
    return _between({_aware(t) + AFTER for t in found}, after, until)


async def retry_moments(rt: Runtime, after: datetime, until: datetime) -> list[datetime]:
    """When the outbox's waiting deliveries (retries after a failure) are next tried."""
    async with rt.uow() as uow:
        stmt = select(OutboxMessage.next_attempt_at).where(OutboxMessage.status.in_(OUTBOX_WAITING))
        found = {_aware(t) for t in (await uow.session.execute(stmt)).scalars()}
    return _between(found, after, until)


def _between(moments: set[datetime], after: datetime, until: datetime) -> list[datetime]:
    return sorted(t for t in moments if after < t <= until)


async def _finder_moments(reading: Reading, finder: object, until: datetime) -> list[datetime]:
    dues = [d async for d in finder(reading, until)]  # type: ignore[operator]
    todo = await reading.undecided([d.key for d in dues])
    return [d.due_at for d in dues if d.key in todo]


def _aware(t: datetime) -> datetime:
    return t if t.tzinfo is not None else t.replace(tzinfo=UTC)


def nightly_moments(rt: Runtime, after: datetime, until: datetime) -> list[datetime]:
    """When the nightly forum sync would run (bot/scheduler.py ``daily``) in (after, until]."""
    hour = rt.settings.discourse.sync_hour_utc
    if rt.discourse is None or hour < 0:
        return []
    day = after.astimezone(UTC).replace(hour=hour, minute=0, second=0, microsecond=0)
    out = []
    while day <= until:
        if day > after:
            out.append(day)
        day += timedelta(days=1)
    return out


class TimeCommands(Screen):
    """The time half of the ``Sandbox`` (which holds ``clock``, ``settle`` and ``flush``)."""

    clock: SandboxClock
    settings: Settings
    nights: Nights

    async def settle(self, timeout: float = 10.0, linger: float = 0.05) -> None:  # noqa: ASYNC109
        """Wait for the bot's listeners and for the outbox to deliver what is due now."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            async with self.runtime.uow() as uow:
                stmt = select(func.count()).where(
                    OutboxMessage.status.in_(OUTBOX_WAITING),
                    OutboxMessage.next_attempt_at <= self.runtime.clock.now(),
                )
                waiting = int((await uow.session.execute(stmt)).scalar_one())
            if not waiting and not listeners_running():
                break
            if not await self.runtime.worker.drain_once():
                await asyncio.sleep(0.02)  # the worker's own task holds the rows in hand
        await asyncio.sleep(linger)

    def my_zone(self) -> str | None:
        user = self.slack.users.get(self.uid) or {}
        return str(user.get("tz") or "") or None

    async def _now(self, _rest: str, _interactive: bool) -> None:
        self.echo(f"  [clock] {describe(self.clock.now(), self.my_zone())}")

    async def _advance(self, rest: str, _interactive: bool) -> None:
        delta = parse_duration(rest)
        start = self.clock.now()
        target = start + delta
        self.echo(f"  [clock] {span(delta)} pass: {describe(start)} → {describe(target)}")
        self.alike, nights = Alike(), self.nights
        nights.runs = nights.skipped = 0
        try:
            steps = await self._step_through(start, target, nights)
        finally:
            alike, self.alike, self.stamp = self.alike, None, ""
        for line in alike.more():
            self.echo(f"  {line}")
        await self._record_time_passed(start, delta)
        self.echo(
            f"  [clock] now {describe(self.clock.now(), self.my_zone())}; "
            f"{steps} due moment{'' if steps == 1 else 's'} passed{nights.summary()}"
        )

    async def _record_time_passed(self, start: datetime, delta: timedelta) -> None:
        """In the audit log, so a program kept with --db goes on from here next time."""
        async with self.runtime.uow() as uow:
            await uow.audit.record(
                at=self.clock.now(),
                actor=f"sandbox:{self.me}",
                platform=Platform.CLI,
                action="sandbox.time_passed",
                subject_type="clock",
                subject_id="sandbox",
                before={"now": start.isoformat()},
                after={"now": self.clock.now().isoformat(), "passed": span(delta)},
            )

    async def _step_through(self, start: datetime, target: datetime, nights: Nights) -> int:
        """Window by window (at most a week, the finders' reach), step to each due moment in
        order and run what is due there; a step that queues a retry adds its moment."""
        cur, steps = start, 0
        while cur < target:
            limit = min(target, cur + WINDOW)
            moments = await due_moments(self.runtime, cur, limit)
            syncs = nightly_moments(self.runtime, cur, limit)
            while cur < limit:
                retries = await retry_moments(self.runtime, cur, limit)
                night = next((t for t in syncs if t > cur and nights.wanted(self.forum)), None)
                nexts = [t for t in (*moments[:1], *retries[:1], night) if t is not None]
                moment = min(nexts, default=limit)
                moments = [t for t in moments if t > moment]
                nights.skipped += sum(1 for t in syncs if cur < t <= moment and t != night)
                self.clock.set(moment)
                self.stamp = f"{moment.astimezone(UTC):%a %Y-%m-%d %H:%M}"
                steps += moment != limit
                await self._run_due(night == moment)
                cur = moment
        self.clock.set(target)
        return steps

    async def _run_due(self, nightly: bool) -> None:
        services = self.runtime.services
        await services.reminders.sweep()
        if self.settings.groups.auto_approve_hours > 0:
            await services.groups.auto_approve_due()
        if nightly:
            await self._nightly()
        await self.settle(linger=0)
        self.flush()

    async def _nightly(self) -> None:
        await self.runtime.services.sync.run_nightly()
        self.nights.ran(self.forum)


@dataclass
class Nights:
    """The nightly reconciliation reads the whole forum through its rate limit (60 admin calls a
    minute, paced in real time), so while time is compressed it runs on the nights after the
    forum changed (the bot or a person changed it); on the others it has nothing to find."""

    runs: int = 0
    skipped: int = 0
    forum_changes: int = -1

    @staticmethod
    def changes(forum: DiscourseStandIn) -> int:
        return sum(1 for method, *_rest in forum.calls if method != "GET")

    def wanted(self, forum: DiscourseStandIn) -> bool:
        return self.changes(forum) != self.forum_changes

    def ran(self, forum: DiscourseStandIn) -> None:
        self.runs += 1
        self.forum_changes = self.changes(forum)

    def summary(self) -> str:
        if not self.runs and not self.skipped:
            return ""
        ran = f"the nightly forum sync ran {self.runs} time{'' if self.runs == 1 else 's'}"
        if self.skipped:
            nights = "night" if self.skipped == 1 else "nights"
            ran += f" (skipped on {self.skipped} {nights} with no forum change)"
        return "; " + ran
