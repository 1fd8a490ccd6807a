"""APScheduler only wakes things up; the database decides what is due."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.program.ports import OutboxSignal

log = logging.getLogger("ambassador_bot.scheduler")


class Scheduler:
    def __init__(self, outbox: OutboxSignal, sweep_seconds: float) -> None:
        self._scheduler = AsyncIOScheduler(timezone="UTC")

        async def sweep_outbox() -> None:
            # A coroutine, so APScheduler runs it on the loop instead of in a worker thread.
            outbox.kick()

        self._scheduler.add_job(
            sweep_outbox,
            "interval",
            seconds=max(sweep_seconds, 0.2),
            id="outbox-sweep",
            coalesce=True,
            max_instances=1,
            misfire_grace_time=30,
        )

    def every(self, job_id: str, seconds: float, job: Callable[[], Awaitable[object]]) -> None:
        """Wake `job` periodically; the database decides what is due, so a missed wake-up only
        delays work, and an extra one does nothing twice."""

        async def run() -> None:
            try:
                await job()
            except Exception:
                log.exception("scheduled job %s failed; it runs again at the next wake-up", job_id)

        self._scheduler.add_job(
            run, "interval", seconds=seconds, id=job_id, coalesce=True, max_instances=1, misfire_grace_time=60
        )

    def daily(self, job_id: str, hour: int, job: Callable[[], Awaitable[object]]) -> None:
        """Run `job` every day at hour:00 UTC. The job itself makes sure only one replica acts."""

        async def run() -> None:
            try:
                await job()
            except Exception:
                log.exception("scheduled job %s failed; it runs again tomorrow", job_id)

        self._scheduler.add_job(
            run,
            "cron",
            hour=hour,
            minute=0,
            id=job_id,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=3600,
        )

    def start(self) -> None:
        if not self._scheduler.running:
            self._scheduler.start()

    def shutdown(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)
