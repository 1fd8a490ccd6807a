"""The outbox worker: delivers queued actions with leases, retries, backoff and 429 handling.

Rows are claimed with a lease (an UPDATE that only one worker of any replica can win); a worker
that dies leaves a lease that expires, and the next attempt first checks whether the platform
already has the effect before doing it again. So an outage or a crash loses nothing and repeats
nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import or_, select, update

from bot.config import OutboxSettings
from bot.platforms.outbox_outcomes import Claimed, Deliverer, Leased, OutcomeWriter, still_held
from bot.program.delivered import record_delivery, record_failure
from bot.program.failures import DeliveryError, Permanent, RateLimited
from bot.program.outbox import redacted, too_late
from bot.program.ports import Clock
from bot.program.text import plural
from storage.enums import OUTBOX_WAITING, OutboxStatus
from storage.models import OutboxMessage
from storage.uow import UnitOfWork

log = logging.getLogger("ambassador_bot.outbox")

_CLAIMED = ("id", "key", "kind", "payload", "attempts", "next_attempt_at")  # what a claim returns
IN_FLIGHT = 64  # deliveries of one lane under way at once (each waits for its pacer slot)
FIRST_CLAIM = 8  # rows in a lane's first claim, before it knows the rate it achieves
MAX_CLAIM = 200  # rows claimed in one UPDATE at most
CLAIM_HORIZON = 0.5  # a claim is about this many seconds of deliveries at the achieved rate


@dataclass(eq=False)
class OutboxWorker:
    """One worker of one process: the unit-of-work factory, a deliverer per platform (the part of
    a row's kind before the dot), and the counters /metrics reports."""

    uow: Callable[[], UnitOfWork]
    deliverers: dict[str, Deliverer]
    settings: OutboxSettings
    clock: Clock
    worker_id: str = field(default_factory=lambda: f"w-{uuid.uuid4().hex[:10]}")
    delivered: int = field(default=0, init=False)
    failed: int = field(default=0, init=False)
    rate_limited: int = field(default=0, init=False)
    _wake: asyncio.Event = field(default_factory=asyncio.Event, init=False, repr=False)
    _stopping: bool = field(default=False, init=False)
    # Rows this worker holds a lease on now, with when (loop time) that lease surely lasts until.
    _in_hand: dict[int, float] = field(default_factory=dict, init=False)
    _outcomes: OutcomeWriter = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._outcomes = OutcomeWriter(self.uow, self.worker_id)

    def kick(self) -> None:
        """Called after a commit that queued work, and by the scheduler's periodic sweep."""
        self._wake.set()

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()

    async def run(self) -> None:
        while not self._stopping:
            try:
                handled = await self.drain_once()
            except Exception:
                log.exception("outbox sweep failed; retrying shortly")
                handled = 0
            if handled == 0 and not self._stopping:
                try:
                    await asyncio.wait_for(self._wake.wait(), timeout=self.settings.poll_seconds)
                except TimeoutError:
                    pass
                self._wake.clear()

    async def drain_until_idle(self, timeout: float) -> int:  # noqa: ASYNC109
        """Deliver until nothing is waiting (for the CLI); returns how many rows still wait."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            handled = await self.drain_once()
            async with self.uow() as uow:
                stats = await uow.outbox.stats(self.clock.now())
            waiting = int(stats["counts"].get("pending", 0)) + int(stats["counts"].get("in_flight", 0))
            if waiting == 0 or loop.time() > deadline:
                return waiting
            if handled == 0:
                await asyncio.sleep(min(1.0, self.settings.poll_seconds))

    async def drain_once(self, limit: int = 1000) -> int:
        """Deliver what is due, up to `limit` rows a platform; each platform is worked through in
        its own lane (`_lane`) while the leases of the rows in hand are kept fresh."""
        async with self.uow() as uow:
            due = await uow.outbox.due(self.clock.now(), 1000)
        platforms = sorted({kind.split(".", 1)[0] for _msg_id, kind in due})
        if not platforms:
            return 0
        keeper = asyncio.create_task(self._keep_leases())
        try:
            counts = await asyncio.gather(*(self._lane(p, limit) for p in platforms))
        finally:
            keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await keeper
        return sum(counts)

    async def _lane(self, platform: str, limit: int) -> int:
        """Claims due rows of one platform a batch at a time (one UPDATE for the batch) and keeps
        several deliveries going at once, each waiting for its slot of the platform's pacer, so
        the lane runs at the allowed rate instead of one round trip at a time. How many are in
        flight, and how many a claim takes, follow the rate the lane achieves: about a quarter
        lease of work in flight (at most IN_FLIGHT), a claim about CLAIM_HORIZON seconds of it."""
        loop = asyncio.get_running_loop()
        lease = self.settings.lease_seconds
        horizon = min(CLAIM_HORIZON, lease / 4)
        running: set[asyncio.Task[None]] = set()
        started_at = loop.time()
        started = 0
        finished = [0]

        def done(task: asyncio.Task[None]) -> None:
            running.discard(task)
            finished[0] += 1

        def achieved() -> float:
            return finished[0] / max(loop.time() - started_at, 1e-3)

        def room() -> int:  # before any outcome the rate is unknown: the first claim goes at once
            return max(2, min(IN_FLIGHT, int(achieved() * lease / 4) + 1)) if finished[0] else IN_FLIGHT

        want = FIRST_CLAIM
        try:
            while not self._stopping and started < limit:
                batch = await self._claim_batch(platform, min(want, limit - started))
                if not batch:
                    break
                waited = False
                for i, claimed in enumerate(batch):
                    while len(running) >= room():
                        waited = True
                        await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
                    if self._stopping:  # the rest goes back to the queue at once
                        await self._give_back([c.msg.id for c in batch[i:]])
                        return started
                    task = asyncio.create_task(self._delivery(claimed))
                    running.add(task)
                    task.add_done_callback(done)
                    started += 1
                # A claim whose rows all started without waiting for room: short of rows, not
                # of slots (the achieved rate trails at the start), so claim twice as many.
                want = max(int(achieved() * horizon) + 1, 0 if waited else 2 * len(batch))
                want = max(1, min(MAX_CLAIM, want))
        except asyncio.CancelledError:
            for task in running:  # shutdown: what is under way is cut short, its lease released
                task.cancel()
            raise
        finally:
            if running:
                await asyncio.gather(*running, return_exceptions=True)
        return started

    async def _keep_leases(self) -> None:
        """Rows in hand wait for their turn and their pacer slot, so a batch can take longer
        than a lease: renew the leases of what this worker still holds every third of a lease.
        A worker that dies stops renewing, and its rows come back when the lease runs out. Rows
        whose outcome is being written at that moment are skipped, not waited for."""
        lease = self.settings.lease_seconds
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(lease / 3)
            ids = sorted(self._in_hand)
            if not ids:
                continue
            asked_at = loop.time()
            held = still_held(ids, self.worker_id)
            try:
                async with self.uow() as uow:
                    renewed = await uow.session.execute(
                        update(OutboxMessage)
                        .where(OutboxMessage.id.in_(held.scalar_subquery()))
                        .values(locked_until=self.clock.now() + timedelta(seconds=lease))
                        .returning(OutboxMessage.id)
                        .execution_options(synchronize_session=False)
                    )
                    renewed_ids = [int(i) for i in renewed.scalars()]
            except Exception as err:  # the database is away: the leases may run out, as before
                log.warning("could not renew the outbox leases in hand (%s)", type(err).__name__)
                continue
            for msg_id in renewed_ids:
                if msg_id in self._in_hand:
                    self._in_hand[msg_id] = asked_at + lease

    async def _delivery(self, claimed: Claimed) -> None:
        msg_id = claimed.msg.id
        held_until = self._in_hand.get(msg_id, 0.0)
        if asyncio.get_running_loop().time() > held_until - self.settings.lease_seconds / 2:
            # Its turn came late (a slow machine, renewals failing): less than half its lease is
            # surely left, so another worker might take it over mid-delivery. Give it back.
            await self._give_back([msg_id])
            return
        cut_short = False
        try:
            await self._deliver_one(claimed.msg, claimed.retry)
        except asyncio.CancelledError:
            cut_short = True  # stopped at shutdown: stays in hand, its lease is released
            raise
        except Exception:  # recording the outcome failed (the database?): the lease will expire
            log.exception("outbox delivery %s: the outcome was not recorded", claimed.msg.key)
        finally:
            if not cut_short:
                self._in_hand.pop(msg_id, None)

    async def _claim_batch(self, platform: str, count: int) -> list[Claimed]:
        """Lease up to `count` due rows of `platform` in one UPDATE; only one worker of any
        replica wins each row (on PostgreSQL rows another replica is claiming are skipped)."""
        now = self.clock.now()
        until = now + timedelta(seconds=self.settings.lease_seconds)
        free = or_(OutboxMessage.locked_until.is_(None), OutboxMessage.locked_until < now)
        waiting = OutboxMessage.status.in_(OUTBOX_WAITING)
        of_platform = or_(OutboxMessage.kind == platform, OutboxMessage.kind.startswith(f"{platform}."))
        due = (
            select(OutboxMessage.id)
            .where(waiting, free, OutboxMessage.next_attempt_at <= now, of_platform)
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(count)
            .with_for_update(skip_locked=True)
            # Run once: as IN (subquery) PostgreSQL could rerun it per row (8 asked, 120 leased).
            .cte("due")
            .prefix_with("MATERIALIZED", dialect="postgresql")
        )
        stmt = (
            update(OutboxMessage)
            .add_cte(due)
            .where(OutboxMessage.id.in_(select(due.c.id)), waiting, free)
            .values(
                status=OutboxStatus.IN_FLIGHT,
                locked_until=until,
                locked_by=self.worker_id,
                attempts=OutboxMessage.attempts + 1,
            )
            .returning(*(getattr(OutboxMessage, column) for column in _CLAIMED))
            .execution_options(synchronize_session=False)
        )
        asked_at = asyncio.get_running_loop().time()
        async with self.uow() as uow:
            rows = (await uow.session.execute(stmt)).all()
        claimed = []
        for row in sorted(rows, key=lambda r: (r.next_attempt_at, r.id)):
            # The attempt is counted when claimed: attempts > 1 means an earlier try may have
            # reached the platform, so check before redoing it.
            msg = Leased(
                int(row.id), str(row.key), str(row.kind), dict(row.payload or {}), int(row.attempts) - 1
            )
            self._in_hand[msg.id] = asked_at + self.settings.lease_seconds
            claimed.append(Claimed(msg, retry=msg.attempts > 0))
        return claimed

    async def _give_back(self, ids: list[int]) -> None:
        """Rows claimed but not started (stopping, or their lease is running out): back in the
        queue at once. Their attempt stays counted, so the next try looks before posting."""
        if not ids:
            return
        async with self.uow() as uow:
            await uow.session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.id.in_(ids),
                    OutboxMessage.locked_by == self.worker_id,
                    OutboxMessage.status == OutboxStatus.IN_FLIGHT,
                )
                .values(locked_until=None, locked_by=None, next_attempt_at=self.clock.now())
                .execution_options(synchronize_session=False)
            )
        for msg_id in ids:
            self._in_hand.pop(msg_id, None)

    async def close_deliverers(self) -> None:
        """Close the deliverers' HTTP sessions (at shutdown, after the leases are released)."""
        for deliverer in self.deliverers.values():
            close = getattr(deliverer, "aclose", None)
            if close is not None:
                with contextlib.suppress(Exception):
                    await close()

    async def release_leases(self) -> int:
        """Give back the leases of deliveries cut short (at shutdown), so the next process or
        another replica retries them at once instead of waiting for the lease to expire. The
        attempt stays counted, so the retry first checks whether the platform already has it."""
        now = self.clock.now()
        if not self._in_hand:
            return 0
        async with self.uow() as uow:
            result = await uow.session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.id.in_(sorted(self._in_hand)),
                    OutboxMessage.locked_by == self.worker_id,
                    OutboxMessage.status == "in_flight",  # not one whose outcome was recorded
                )
                .values(locked_until=None, locked_by=None, next_attempt_at=now)
                .execution_options(synchronize_session=False)
            )
            released = int(getattr(result, "rowcount", 0))
        self._in_hand.clear()
        return released

    async def _deliver_one(self, msg: Leased, retry: bool) -> None:
        platform = msg.kind.split(".", 1)[0]
        deliverer = self.deliverers.get(platform)
        attempts = msg.attempts + 1
        if too_late(dict(msg.payload), self.clock.now()):
            # Checked before every attempt, so a retry after a crash or an outage does not post a
            # reminder of an event that has started.
            log.info("not delivering %s: its moment has passed", msg.key)
            await self._finish(msg, status="expired", last_error="not sent: its moment had passed")
            return
        try:
            if deliverer is None:
                raise Permanent(f"{platform} is not configured, so {msg.kind} cannot be delivered")
            result = await deliverer.deliver(msg.kind, msg.key, dict(msg.payload), retry)
        except RateLimited as err:
            # A 429 is the platform pacing us, not a failure: it does not use up an attempt.
            self.rate_limited += 1
            await self._retry_in(msg, err.retry_after, str(err), attempts=attempts - 1)
            return
        except Permanent as err:
            await self._fail(msg, str(err))
            return
        except DeliveryError as err:  # Transient, or an error the deliverer did not classify
            await self._backoff(msg, attempts, str(err))
            return
        except Exception as err:  # a bug or an unexpected answer: keep the row, say what happened
            log.exception("outbox delivery %s crashed", msg.key)
            await self._backoff(msg, attempts, f"unexpected error: {type(err).__name__}")
            return
        now = self.clock.now()

        async def learn(uow: UnitOfWork) -> None:
            await record_delivery(uow, msg.kind, dict(msg.payload), result, now)

        await self._finish(
            msg, status="delivered", delivered_at=now, result=result, last_error=None, redact=True, then=learn
        )
        self.delivered += 1
        log.info("delivered %s (%s)", msg.key, msg.kind)

    async def _finish(
        self,
        msg: Leased,
        *,
        redact: bool = False,
        then: Callable[[UnitOfWork], Awaitable[None]] | None = None,
        **values: Any,
    ) -> None:
        """Record the outcome of this worker's attempt (if it still holds the lease); with `redact`
        the payload's secrets go once the row is done; `then` runs in the same transaction.
        Outcomes that finish while others are being written wait and go together in the next
        transaction (bot/platforms/outbox_outcomes.py), each still checked against its lease."""
        if redact:
            secretless = redacted(dict(msg.payload))
            if secretless is not None:
                values["payload"] = secretless
        await self._outcomes.write(msg.id, values, then)

    async def _retry_in(self, msg: Leased, seconds: float, error: str, **values: Any) -> None:
        at = self.clock.now() + timedelta(seconds=seconds)
        await self._finish(msg, status="in_flight", next_attempt_at=at, last_error=error, **values)

    async def _backoff(self, msg: Leased, attempts: int, error: str) -> None:
        s = self.settings
        if attempts >= s.max_attempts:
            await self._fail(msg, f"gave up after {plural(attempts, 'attempt')}: {error}")
            return
        delay = min(s.max_backoff_seconds, s.base_backoff_seconds * (2 ** (attempts - 1)))
        delay *= random.uniform(0.8, 1.2)  # jitter so replicas do not retry in lockstep
        log.warning(
            "delivery of %s failed (attempt %d): %s; next try in %.1fs", msg.key, attempts, error, delay
        )
        await self._retry_in(msg, delay, error)

    async def _fail(self, msg: Leased, error: str) -> None:
        self.failed += 1
        log.error("delivery of %s failed for good: %s", msg.key, error)

        async def learn(uow: UnitOfWork) -> None:
            await record_failure(uow, msg.kind, dict(msg.payload), self.clock.now())

        await self._finish(msg, status="failed", last_error=error, redact=True, then=learn)
