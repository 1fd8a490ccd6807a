"""The bot hands freed heap pages back to the OS (bot/memory.py), so a long-running process's
resident memory follows what it holds, not the most it ever held."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import memory
from bot.config import settings_from_mapping
from bot.runtime import build_runtime

glibc_only = pytest.mark.skipif(not memory.can_trim(), reason="malloc_trim is glibc's")


def _rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS in /proc/self/status")


@glibc_only
def test_freed_heap_memory_goes_back_to_the_os() -> None:
    # Objects too big for Python's own allocator come from malloc. Keeping every tenth one pins
    # the top of the heap, so free() alone cannot shrink it: the other 90 % stay resident.
    kept, dropped = [], []
    for i in range(150_000):
        (kept if i % 10 == 0 else dropped).append(bytes(600 + i % 300))
    del dropped
    before = _rss_mb()
    assert memory.trim()
    after = _rss_mb()
    assert before - after > 30, f"RSS {before:.1f} MB before the trim, {after:.1f} MB after"
    assert len(kept) == 15_000 and kept[-1] == bytes(600 + 149_990 % 300)  # what is held is intact


@glibc_only
async def test_the_running_bot_trims_its_heap_on_a_schedule(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    settings = settings_from_mapping(
        {"database": {"url": url}, "slack": {"bot_token": "xoxb-1", "signing_secret": "s"}}, env={}
    )
    rt = await build_runtime(settings, auto_migrate=True)
    try:
        assert "memory-trim" in rt.scheduler.job_ids()
    finally:
        await rt.close()
