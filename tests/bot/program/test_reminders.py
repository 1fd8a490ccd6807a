"""The periodic sweep of `bot/program/reminders/`, without HTTP: each reminder is decided once
(sent or skipped), one found late goes out only if it is still worth it, and a term that ran out
lapses once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from bot.sandbox.harness.stack import ALICE
from tests.bot.program.conftest import START, Program

TERM = timedelta(days=100)


@pytest.fixture
def program_overrides() -> dict[str, Any]:
    return {"program": {"term_days": 100}}


async def renewal_dms(program: Program) -> list[tuple[str, int]]:
    return [
        (payload["user"], payload["data"]["days"])
        for _key, kind, payload in await program.outbox("renewal:")
        if kind == "slack.dm" and payload["template"] == "renewal_reminder"
    ]


def renewals(keys: list[str]) -> list[str]:
    return [k for k in keys if k.startswith("renewal:")]


async def test_each_renewal_reminder_goes_out_once_when_due(program: Program) -> None:
    await program.ambassador(ALICE, "alice")
    program.clock.set(START + TERM - timedelta(days=61))
    assert renewals((await program.reminders.sweep()).sent) == []
    program.clock.set(START + TERM - timedelta(days=59))
    kicks = program.signal.kicks
    first = await program.reminders.sweep()
    assert len(renewals(first.sent)) == 1
    assert program.signal.kicks == kicks + 1
    assert await renewal_dms(program) == [(ALICE, 60)]
    assert (await program.reminders.sweep()).sent == []  # a second sweep decides nothing again
    program.clock.set(START + TERM - timedelta(days=29))
    await program.reminders.sweep()
    assert await renewal_dms(program) == [(ALICE, 60), (ALICE, 30)]
    assert program.reminders.decided["renewal", "sent"] == 2


async def test_reminders_found_late_send_only_the_latest(program: Program) -> None:
    await program.ambassador(ALICE, "alice")
    program.clock.set(START + TERM - timedelta(days=6))  # the bot was down for the 60- and 30-day ones
    result = await program.reminders.sweep()
    assert await renewal_dms(program) == [(ALICE, 7)]
    assert len(renewals(result.skipped)) == 2
    assert renewals((await program.reminders.sweep()).skipped) == []


async def test_a_term_past_its_grace_lapses_once(program: Program) -> None:
    await program.ambassador(ALICE, "alice")
    program.clock.set(START + TERM + timedelta(days=15))
    await program.reminders.sweep()
    lapses = await program.outbox("lapse:")
    assert sorted(kind for _key, kind, _payload in lapses) == [
        "discourse.remove_from_group",
        "discourse.revoke_badge",
        "slack.post",
    ]
    assert "ambassador.lapsed" in await program.audit()
    status = await program.applications.status(ALICE)
    program.clock.advance(hours=1)
    await program.reminders.sweep()
    assert await program.outbox("lapse:") == lapses
    assert await program.applications.status(ALICE) == status


async def test_a_reminder_that_cannot_be_queued_holds_back_none_of_the_others(program: Program) -> None:
    """Reminders are decided in batches (one transaction for many); one that fails in the middle of
    a batch rolls it back, and the others are then decided one by one: all of them go out once, the
    broken one is tried again at the next sweep, and nothing is queued twice."""
    from bot.program.messages import Notice
    from bot.program.permissions import ServiceDeps
    from bot.program.reminders.due import FOREVER, Due, dm
    from bot.program.reminders.sweep import BATCH, ReminderService
    from bot.program.roles import Roles

    broken = {"renewal:batch:37"}

    async def finder(reading: Any, now: Any) -> Any:
        for i in range(BATCH * 2 + 20):
            key = f"renewal:batch:{i}"
            send = dm(key, f"U{i:08d}", Notice(f"reminder {i}"), now)
            if key in broken:

                async def send(uow: Any) -> None:
                    raise RuntimeError("cannot render this one")

            yield Due(key, "renewal", now, now + FOREVER, send)

    deps = ServiceDeps(program.uow, program.settings, Roles(()), program.clock, program.signal)
    service = ReminderService(deps, finders=(finder,))
    first = await service.sweep()
    assert len(first.sent) == BATCH * 2 + 19 and "renewal:batch:37" not in first.sent
    queued = [key for key, _kind, _payload in await program.outbox("renewal:batch:")]
    assert len(queued) == len(set(queued)) == BATCH * 2 + 19

    broken.clear()  # fixed: the next sweep decides it, and only it
    second = await service.sweep()
    assert second.sent == ["renewal:batch:37"]
    queued = [key for key, _kind, _payload in await program.outbox("renewal:batch:")]
    assert len(queued) == len(set(queued)) == BATCH * 2 + 20
