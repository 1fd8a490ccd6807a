"""Rate budgets: when the next call to a rate-limited platform may start.

A budget hands out start times ("slots") spaced `1 / rate` apart, reserved ahead of time: a caller
takes the next free slot and sleeps until it, so many calls can be in flight at once and still
start at the allowed rate (a generic cell rate algorithm: one "next free slot" time per budget).

- `LocalBudget` keeps the next slot in this process: right for SQLite (one process writes).
- `SharedBudget` keeps it in the PostgreSQL database every replica uses (a sequence per budget,
  moved forward under an advisory lock: `storage.rate_budget`), so N replicas together stay under one
  platform limit without dividing any setting by N. Slots are taken a few at a time (about
  `batch_seconds` worth) so the database is not asked once per call. A 429's Retry-After
  moves the shared slot forward, which holds back every replica.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncEngine

from storage.rate_budget import RateBudgetStore

log = logging.getLogger("ambassador_bot.budget")

# A slot used later than this (or than its own spacing) is not used: callers woken together
# after a stall of the event loop would otherwise all start at once, a burst past the limit.
LATE_SECONDS = 0.05
# How far this process's starts may run ahead of the rate (a GCRA tolerance, on the times calls
# really start): callers woken together after a stall go a few at a time, not as one burst.
BUNCH_SECONDS = 0.02
# The cluster's slots are spaced for this share of the rate. Each replica starts its call a few
# milliseconds after its slot, on its own clock (its offset to the database's is an estimate),
# so slots spaced exactly at the rate measured 1.0005 x the limit end to end in one run.
SHARED_HEADROOM = 0.99
SLACK_WORKSPACE = "slack.workspace_posts"
DISCOURSE_ADMIN = "discourse.admin_requests"


class Budget(Protocol):
    rate: float

    async def wait(self) -> None:
        """Return at the start of a slot of this budget."""

    async def push_back(self, seconds: float) -> None:
        """The platform said 429 with Retry-After `seconds`: nobody starts before then."""


class LocalBudget:
    """The budget of one process: the next free slot, kept in memory."""

    def __init__(self, rate: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.interval = 1.0 / rate
        self._clock = clock
        self._next = 0.0
        self._started = 0.0  # when the calls that have started would have, one interval apart

    def reserve(self, not_before: float = 0.0) -> float:
        """Take the next free slot at or after `not_before` (both on this budget's clock)."""
        at = max(self._clock(), self._next, not_before)
        self._next = at + self.interval
        return at

    async def wait(self) -> None:
        while True:
            at = self.reserve()
            delay = at - self._clock()
            if delay > 0:
                await asyncio.sleep(delay)
            # Woken much later than the slot (a busy event loop): starting now would bunch up
            # with the callers woken at the same moment, so take a fresh slot instead.
            if self._clock() - at <= max(self.interval, LATE_SECONDS):
                break
        # Woken a little late, with others: each run of late starts makes the platform's own
        # bucket a little emptier, and a few stalls in a row ended in a 429 (and its whole
        # second of Retry-After). Starts more than BUNCH_SECONDS ahead of the rate wait here.
        now = self._clock()
        start = max(self._started, now)
        self._started = start + self.interval
        if start - BUNCH_SECONDS > now:
            await asyncio.sleep(start - BUNCH_SECONDS - now)

    def hold(self, seconds: float) -> None:
        self._next = max(self._next, self._clock() + seconds)

    async def push_back(self, seconds: float) -> None:
        self.hold(seconds)


class SharedBudget:
    """The budget of the cluster: the next free slot of budget `name` lives in the database."""

    def __init__(
        self,
        store: RateBudgetStore,
        name: str,
        rate: float,
        batch_seconds: float = 0.1,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.name = name
        self.rate = rate
        self.interval = 1.0 / (rate * SHARED_HEADROOM)
        # About batch_seconds of slots per database round trip, at least one.
        self.batch = max(1, int(rate * batch_seconds))
        self._clock = clock
        self._slots: deque[float] = deque()  # reserved start times on this process's clock
        self._refill = asyncio.Lock()
        self._waiting = 0  # callers in `wait` now
        self._offset = 0.0  # this process's clock minus the database's
        self._best_round_trip = float("inf")
        self.fetches = 0  # database round trips (for the benchmarks)

    async def wait(self) -> None:
        self._waiting += 1
        try:
            await self._wait()
        finally:
            self._waiting -= 1

    async def _wait(self) -> None:
        while True:
            now = self._clock()
            # A slot that went by unused is gone: used later than a batch's worth of slots (a
            # busy event loop), it would crowd other replicas' slots by more than one batch.
            while self._slots and self._slots[0] < now - self.batch * self.interval:
                self._slots.popleft()
            if self._slots:
                at = self._slots.popleft()
                if at > now:
                    await asyncio.sleep(at - now)
                if self._clock() - at <= max(self.batch * self.interval, LATE_SECONDS):
                    return
                continue  # woken late (a busy loop): a fresh slot, rather than a burst
            async with self._refill:
                if not self._slots:
                    await self._take()

    async def _take(self) -> None:
        # No more slots than there are callers waiting for one: a slot taken and not used is
        # lost to every replica.
        count = max(1, min(self.batch, self._waiting))
        sent = self._clock()
        first, db_now = await self.store.take(self.name, count, self.interval)
        received = self._clock()
        self.fetches += 1
        # The database's clock -> this process's: the database read its clock somewhere between
        # sending and receiving, so the exchange with the shortest round trip so far gives the
        # best estimate (both clocks run at the same rate; a slow answer would shift every slot
        # of the batch late, onto another replica's).
        if received - sent <= self._best_round_trip:
            self._best_round_trip = received - sent
            self._offset = (sent + received) / 2 - db_now
        self._slots.extend(first + i * self.interval + self._offset for i in range(count))

    async def push_back(self, seconds: float) -> None:
        self._slots.clear()
        try:
            await self.store.hold(self.name, seconds)
        except Exception as err:  # the next take still meets the platform's own 429s
            log.warning("could not share a Retry-After of %.1fs (%s)", seconds, type(err).__name__)


@dataclass(frozen=True)
class RateBudgets:
    slack_workspace: Budget  # outbox.slack_workspace_posts_per_second
    discourse_admin: Budget  # discourse.admin_requests_per_minute


def rate_budgets(engine: AsyncEngine, slack_per_second: float, forum_per_minute: int) -> RateBudgets:
    """The process's budgets: in the database when it is PostgreSQL (shared by every replica),
    in memory on SQLite (one process)."""
    if engine.dialect.name == "postgresql":
        store = RateBudgetStore(engine)
        return RateBudgets(
            SharedBudget(store, SLACK_WORKSPACE, slack_per_second),
            SharedBudget(store, DISCOURSE_ADMIN, forum_per_minute / 60.0),
        )
    return RateBudgets(LocalBudget(slack_per_second), LocalBudget(forum_per_minute / 60.0))
