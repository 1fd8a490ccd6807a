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
from collections.abc import Callable
from datetime import timedelta
from typing import Any, Protocol

from sqlalchemy import update

from bot.config import OutboxSettings
from bot.program.delivered import record_delivery, record_failure
from bot.program.failures import DeliveryError, Permanent, RateLimited, Transient
from bot.program.outbox import redacted, too_late
from bot.program.ports import Clock
from storage.models import OutboxMessage
from storage.uow import UnitOfWork

log = logging.getLogger("ambassador_bot.outbox")


class Deliverer(Protocol):
    async def deliver(
        self, kind: str, key: str, payload: dict[str, Any], maybe_done: bool
    ) -> dict[str, Any]: ...


class OutboxWorker:
    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        deliverers: dict[str, Deliverer],
        settings: OutboxSettings,
        clock: Clock,
        worker_id: str | None = None,
    ) -> None:
        self._uow = uow
        self._deliverers = deliverers
        self._settings = settings
        self._clock = clock
        self.worker_id = worker_id or f"w-{uuid.uuid4().hex[:10]}"
        self._wake = asyncio.Event()
        self._stopping = False
        self.delivered = 0
        self.failed = 0
        self.rate_limited = 0
        self._in_hand: set[int] = set()  # rows this worker holds a lease on right now

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
                    await asyncio.wait_for(self._wake.wait(), timeout=self._settings.poll_seconds)
                except TimeoutError:
                    pass
                self._wake.clear()

    async def drain_until_idle(self, timeout: float) -> int:  # noqa: ASYNC109
        """Deliver until nothing is waiting (for the CLI); returns how many rows still wait."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            handled = await self.drain_once()
            async with self._uow() as uow:
                stats = await uow.outbox.stats(self._clock.now())
            waiting = int(stats["counts"].get("pending", 0)) + int(stats["counts"].get("in_flight", 0))
            if waiting == 0 or loop.time() > deadline:
                return waiting
            if handled == 0:
                await asyncio.sleep(min(1.0, self._settings.poll_seconds))

    async def drain_once(self, limit: int = 50) -> int:
        """Deliver what is due; each platform is worked through in its own lane, and each row is
        claimed only right before its delivery, so a lease covers real in-flight work even when
        the lane is slowed down by pacing."""
        async with self._uow() as uow:
            due = await uow.outbox.due(self._clock.now(), limit)
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
        now = self._clock.now()
        if not self._in_hand:
            return 0
        async with self._uow() as uow:
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
        now = self._clock.now()
        lease = timedelta(seconds=self._settings.lease_seconds)
        async with self._uow() as uow:
            before = await uow.outbox.get(msg_id)
            if before is None or before.next_attempt_at > now:
                return None
            if not await uow.outbox.claim(msg_id, self.worker_id, now, lease):
                return None  # another worker (or replica) has it
            # attempts > 0: an earlier try may have reached the platform; check before redoing it.
            return before, before.attempts > 0

    async def _deliver_one(self, msg: OutboxMessage, retry: bool) -> None:
        platform = msg.kind.split(".", 1)[0]
        deliverer = self._deliverers.get(platform)
        attempts = msg.attempts + 1
        if too_late(dict(msg.payload), self._clock.now()):
            # Checked before every attempt, so a retry after a crash or an outage does not post a
            # reminder of an event that has started.
            log.info("not delivering %s: its moment has passed", msg.key)
            async with self._uow() as uow:
                await uow.outbox.finish(
                    msg.id, self.worker_id, status="expired", last_error="not sent: its moment had passed"
                )
            return
        try:
            if deliverer is None:
                raise Permanent(f"{platform} is not configured, so {msg.kind} cannot be delivered")
            result = await deliverer.deliver(msg.kind, msg.key, dict(msg.payload), retry)
        except RateLimited as err:
            self.rate_limited += 1
            await self._reschedule(msg, err.retry_after, str(err), attempts - 1)
            return
        except Permanent as err:
            await self._fail(msg, str(err))
            return
        except Transient as err:
            await self._backoff(msg, attempts, str(err))
            return
        except DeliveryError as err:
            await self._backoff(msg, attempts, str(err))
            return
        except Exception as err:  # a bug or an unexpected answer: keep the row, say what happened
            log.exception("outbox delivery %s crashed", msg.key)
            await self._backoff(msg, attempts, f"unexpected error: {type(err).__name__}")
            return
        now = self._clock.now()
        async with self._uow() as uow:
            secretless = redacted(dict(msg.payload))
            extra = {"payload": secretless} if secretless is not None else {}
            if await uow.outbox.finish(
                msg.id,
                self.worker_id,
                status="delivered",
                delivered_at=now,
                result=result,
                last_error=None,
                **extra,
            ):
                await record_delivery(uow, msg.kind, dict(msg.payload), result, now)
        self.delivered += 1
        log.info("delivered %s (%s)", msg.key, msg.kind)

    async def _reschedule(self, msg: OutboxMessage, seconds: float, error: str, attempts: int) -> None:
        # A 429 is the platform pacing us, not a failure: it does not use up an attempt.
        at = self._clock.now() + timedelta(seconds=seconds)
        async with self._uow() as uow:
            await uow.outbox.finish(
                msg.id,
                self.worker_id,
                status="in_flight",
                next_attempt_at=at,
                last_error=error,
                attempts=attempts,
            )

    async def _backoff(self, msg: OutboxMessage, attempts: int, error: str) -> None:
        s = self._settings
        if attempts >= s.max_attempts:
            await self._fail(msg, f"gave up after {attempts} attempts: {error}")
            return
        delay = min(s.max_backoff_seconds, s.base_backoff_seconds * (2 ** (attempts - 1)))
        delay *= random.uniform(0.8, 1.2)  # jitter so replicas do not retry in lockstep
        log.warning(
            "delivery of %s failed (attempt %d): %s; next try in %.1fs", msg.key, attempts, error, delay
        )
        await self._reschedule_error(msg, delay, error)

    async def _reschedule_error(self, msg: OutboxMessage, delay: float, error: str) -> None:
        at = self._clock.now() + timedelta(seconds=delay)
        async with self._uow() as uow:
            await uow.outbox.finish(
                msg.id, self.worker_id, status="in_flight", next_attempt_at=at, last_error=error
            )

    async def _fail(self, msg: OutboxMessage, error: str) -> None:
        self.failed += 1
        log.error("delivery of %s failed for good: %s", msg.key, error)
        async with self._uow() as uow:
            secretless = redacted(dict(msg.payload))
            extra = {"payload": secretless} if secretless is not None else {}
            if await uow.outbox.finish(msg.id, self.worker_id, status="failed", last_error=error, **extra):
                await record_failure(uow, msg.kind, dict(msg.payload), self._clock.now())
