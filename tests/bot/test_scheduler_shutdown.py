"""Stopping the bot while a scheduled sweep is running: the sweep is cut short quietly (one
warning line naming it), never an APScheduler "raised an exception" traceback in the log."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.scheduler import Scheduler


class _Signal:
    def kick(self) -> None:
        pass


async def test_a_sweep_still_running_at_shutdown_is_cut_short_without_a_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    started = asyncio.Event()
    finished: list[str] = []

    async def slow_sweep() -> None:
        started.set()
        await asyncio.sleep(30)
        finished.append("sweep")

    scheduler = Scheduler(_Signal(), sweep_seconds=5)
    scheduler.every("reminders", 0.05, slow_sweep)
    caplog.set_level(logging.INFO)
    scheduler.start()
    await asyncio.wait_for(started.wait(), timeout=5)

    await scheduler.stop(grace_seconds=0.1)
    await asyncio.sleep(0.1)  # let APScheduler's executor see how the job ended

    assert finished == []
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == [], [r.getMessage() for r in errors]
    assert not any(r.exc_info for r in caplog.records)
    assert any("reminders" in r.getMessage() and "shutdown" in r.getMessage() for r in caplog.records)


async def test_a_sweep_that_finishes_within_the_grace_period_completes() -> None:
    started = asyncio.Event()
    finished: list[str] = []

    async def quick_sweep() -> None:
        started.set()
        await asyncio.sleep(0.05)
        finished.append("sweep")

    scheduler = Scheduler(_Signal(), sweep_seconds=5)
    scheduler.every("reminders", 0.05, quick_sweep)
    scheduler.start()
    await asyncio.wait_for(started.wait(), timeout=5)
    await scheduler.stop(grace_seconds=5)
    assert finished[:1] == ["sweep"]
