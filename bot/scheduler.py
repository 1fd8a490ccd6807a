"""APScheduler only wakes things up; the database decides what is due."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.program.ports import OutboxSignal

log = logging.getLogger("ambassador_bot.scheduler")


class Scheduler:
    def __init__(self, outbox: OutboxSignal, sweep_seconds: float) -> None:
        self._scheduler = AsyncIOScheduler(timezone="UTC")
        self._running: set[asyncio.Task[object]] = set()
        self._stopping = False

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
            await self._guarded(job_id, job, "it runs again at the next wake-up")

        self._scheduler.add_job(
            run, "interval", seconds=seconds, id=job_id, coalesce=True, max_instances=1, misfire_grace_time=60
        )

    def daily(self, job_id: str, hour: int, job: Callable[[], Awaitable[object]]) -> None:
        """Run `job` every day at hour:00 UTC. The job itself makes sure only one replica acts."""

        async def run() -> None:
            await self._guarded(job_id, job, "it runs again tomorrow")

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

    async def _guarded(self, job_id: str, job: Callable[[], Awaitable[object]], again: str) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._running.add(task)
        try:
            await job()
        except asyncio.CancelledError:
            if not self._stopping:
                raise
            # Cut short by `stop`: what it had done is committed, what it had not is still due
            # in the database, so the next start picks it up. APScheduler would log a
            # traceback for a job that ends by raising, so it ends here.
            log.warning("scheduled job %s cut short by shutdown; the next start resumes it", job_id)
        except Exception:
            log.exception("scheduled job %s failed; %s", job_id, again)
        finally:
            if task is not None:
                self._running.discard(task)

    def job_ids(self) -> list[str]:
        """The ids of the jobs set up."""
        return [job.id for job in self._scheduler.get_jobs()]

    def start(self) -> None:
        if not self._scheduler.running:
            self._scheduler.start()

    async def stop(self, grace_seconds: float) -> None:
        """No new wake-ups; a job already running may finish within `grace_seconds`, after
        that it is cancelled (quietly, see `_guarded`) and awaited."""
        self._stopping = True
        if not self._scheduler.running:
            return
        self._scheduler.pause()  # shutting APScheduler down now would cancel running jobs
        running = set(self._running)
        if running:
            _, late = await asyncio.wait(running, timeout=max(grace_seconds, 0))
            for task in late:
                task.cancel()
            if late:
                await asyncio.wait(late, timeout=5)
        self._scheduler.shutdown(wait=False)
