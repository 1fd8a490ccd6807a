"""The outbox worker: delivers queued actions with leases, retries, backoff and 429 handling.

Rows are claimed with a lease (an UPDATE that only one worker of any replica can win); a worker
that dies leaves a lease that expires, and the next attempt first checks whether the platform
already has the effect before doing it again. So an outage or a crash loses nothing and repeats
nothing.
"""

from __future__ import annotations

import asyncio
import logging
import random
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Protocol

from sqlalchemy import update

from bot.config import OutboxSettings
from bot.program.delivered import record_delivery, record_failure
from bot.program.failures import DeliveryError, Permanent, RateLimited
from bot.program.outbox import redacted, too_late
from bot.program.ports import Clock
from bot.program.text import plural
from storage.models import OutboxMessage
from storage.uow import UnitOfWork

log = logging.getLogger("ambassador_bot.outbox")


class Deliverer(Protocol):
    async def deliver(
        self, kind: str, key: str, payload: dict[str, Any], maybe_done: bool
    ) -> dict[str, Any]: ...


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
    _in_hand: set[int] = field(default_factory=set, init=False)  # rows this worker holds a lease on now

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

    async def drain_once(self, limit: int = 50) -> int:
        """Deliver what is due; each platform is worked through in its own lane, and each row is
        claimed only right before its delivery, so a lease covers real in-flight work even when
        the lane is slowed down by pacing."""
        async with self.uow() as uow:
            due = await uow.outbox.due(self.clock.now(), limit)
        lanes: dict[str, list[int]] = defaultdict(list)
        for msg_id, kind in due:
            lanes[kind.split(".", 1)[0]].append(msg_id)
        counts = await asyncio.gather(*(self._lane(ids) for ids in lanes.values()))
        return sum(counts)

    async def _lane(self, ids: list[int]) -> int:
        done = 0
        for msg_id in ids:
            if self._stopping:
                break
            claimed = await self._claim(msg_id)
            if claimed is not None:
                self._in_hand.add(msg_id)
                cut_short = False
                try:
                    await self._deliver_one(*claimed)
                except asyncio.CancelledError:
                    cut_short = True  # stopped at shutdown: stays in hand, its lease is released
                    raise
                finally:
                    if not cut_short:
                        self._in_hand.discard(msg_id)
                done += 1
        return done

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

    async def _claim(self, msg_id: int) -> tuple[OutboxMessage, bool] | None:
        now = self.clock.now()
        lease = timedelta(seconds=self.settings.lease_seconds)
        async with self.uow() as uow:
            before = await uow.outbox.get(msg_id)
            if before is None or before.next_attempt_at > now:
                return None
            if not await uow.outbox.claim(msg_id, self.worker_id, now, lease):
                return None  # another worker (or replica) has it
            # attempts > 0: an earlier try may have reached the platform; check before redoing it.
            return before, before.attempts > 0

    async def _deliver_one(self, msg: OutboxMessage, retry: bool) -> None:
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
        msg: OutboxMessage,
        *,
        redact: bool = False,
        then: Callable[[UnitOfWork], Awaitable[None]] | None = None,
        **values: Any,
    ) -> None:
        """Record the outcome of this worker's attempt (if it still holds the lease); with `redact`
        the payload's secrets go once the row is done; `then` runs in the same transaction."""
        async with self.uow() as uow:
            if redact:
                secretless = redacted(dict(msg.payload))
                if secretless is not None:
                    values["payload"] = secretless
            if await uow.outbox.finish(msg.id, self.worker_id, **values) and then is not None:
                await then(uow)

    async def _retry_in(self, msg: OutboxMessage, seconds: float, error: str, **values: Any) -> None:
        at = self.clock.now() + timedelta(seconds=seconds)
        await self._finish(msg, status="in_flight", next_attempt_at=at, last_error=error, **values)

    async def _backoff(self, msg: OutboxMessage, attempts: int, error: str) -> None:
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

    async def _fail(self, msg: OutboxMessage, error: str) -> None:
        self.failed += 1
        log.error("delivery of %s failed for good: %s", msg.key, error)

        async def learn(uow: UnitOfWork) -> None:
            await record_failure(uow, msg.kind, dict(msg.payload), self.clock.now())

        await self._finish(msg, status="failed", last_error=error, redact=True, then=learn)
