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
