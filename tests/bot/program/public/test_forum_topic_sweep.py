"""The directory topic's sweep (bot/program/public/forum_topic.py) on the real migrated database:
what it queues, when, and that two replicas or a restart never queue the same window twice."""

from __future__ import annotations

from typing import Any

import pytest

from bot.program.directory.service import ProfileService
from bot.program.permissions import ServiceDeps
from bot.program.public.directory import listed_ambassadors
from bot.program.public.forum_topic import DirectoryTopic, window_of
from tests.bot.program.conftest import Program
from tests.bot.program.public.test_directory import PROFILE

ALL = "name,location,expertise,help_with,contact,home_group"
WINDOW = 300
TOPIC = 77


@pytest.fixture
def program_overrides() -> dict[str, Any]:
    return {"discourse": {"directory_topic_id": TOPIC, "directory_topic_interval_seconds": WINDOW}}


def replica(program: Program) -> DirectoryTopic:
    """The sweep as a bot process has it (one per process: a new one is a restart or a replica)."""
    return DirectoryTopic(program.uow, program.settings, program.clock, listed_ambassadors)


async def rows(program: Program) -> list[tuple[str, dict[str, Any]]]:
    return [
        (k, p)
        for k, kind, p in await program.outbox("directory-topic:")
        if kind == "discourse.edit_directory"
    ]


async def list_alice(program: Program, **form: str) -> None:
    service = ProfileService(ServiceDeps(program.uow, program.settings, program.roles, program.clock))
    await service.save("U0ALICE", {**PROFILE, "public_listed": "yes", "public_fields": ALL, **form})


async def test_a_change_queues_one_edit_per_window_across_replicas_and_restarts(program: Program) -> None:
    await program.ambassador("U0ALICE", "alice")
    await list_alice(program)
    first, second = replica(program), replica(program)
    assert await first.sweep() is True
    assert await second.sweep() is False  # the other replica: this window is taken
    assert await replica(program).sweep() is False  # a restart within the window
    [(key, payload)] = await rows(program)
    number, ends = window_of(program.clock.now(), WINDOW)
    assert key == f"directory-topic:{TOPIC}:{number}" and payload == {"topic_id": TOPIC}  # no text at rest
    async with program.uow() as uow:
        [row] = await uow.outbox.with_key_prefix(key)
    assert row.next_attempt_at.replace(tzinfo=ends.tzinfo) == ends  # due when the window ends

    program.clock.advance(seconds=WINDOW)
    assert await first.sweep() is False  # nothing changed since it queued: nothing to do
    await list_alice(program, expertise="Rust")
    assert await first.sweep() is True and await second.sweep() is False
    assert len(await rows(program)) == 2
    post = await first.post()
    assert "Rust" in post.raw and "Kubernetes" not in post.raw


@pytest.mark.parametrize("off", [{"directory_topic_id": None}, {"url": ""}], ids=["no topic", "no forum"])
async def test_no_topic_or_no_forum_is_no_sweep(program: Program, off: dict[str, Any]) -> None:
    await program.ambassador("U0ALICE", "alice")
    await list_alice(program)
    discourse = program.settings.discourse.model_copy(update=off)
    settings = program.settings.model_copy(update={"discourse": discourse})
    assert await DirectoryTopic(program.uow, settings, program.clock, listed_ambassadors).sweep() is False
    assert await rows(program) == []
