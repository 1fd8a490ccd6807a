"""The next due moments the sweep finds terms and nudges by (`ambassadors.term_due_at`,
`nudge_due_at`): after each change that moves them (a reminder decided, a renewal, a lapse, a term
that ended, onboarding done) the reminder a person expects still comes when it is due, and none
comes that should not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.program.permissions import ServiceDeps
from bot.program.reminders.sweep import ReminderService
from bot.sandbox.harness.stack import ALICE, MOD
from storage.enums import OccurrenceStatus, Platform
from storage.events import EventSeries, OccurrenceOverride
from storage.models import CHECK_NOW, Ambassador, Person
from tests.bot.program.conftest import START, Program

TERM = timedelta(days=100)
GRACE = timedelta(days=14)  # [renewals] grace_days, the default
NUDGE = timedelta(days=7)  # [reminders] nudge_after_days, the default
RENEWAL = {"reaffirm": "yes", "plans": "More meetups"}


@pytest.fixture
def program_overrides() -> dict[str, Any]:
    return {"program": {"term_days": 100}}


async def term(program: Program, slack_user: str = ALICE) -> Ambassador:
    async with program.uow() as uow:
        stmt = select(Ambassador).join(Person).where(Person.slack_user_id == slack_user)
        found = (await uow.session.execute(stmt.execution_options(populate_existing=True))).scalar_one()
        return found


async def renewal_dms(program: Program) -> list[tuple[int, str]]:
    return [
        (payload["data"]["days"], key.split(":")[2])
        for key, kind, payload in await program.outbox("renewal:")
        if kind == "slack.dm"
    ]


async def nudges(program: Program) -> list[list[str]]:
    return [
        [s["key"] for s in payload["data"]["steps"]]
        for _key, kind, payload in await program.outbox("nudge:")
        if kind == "slack.dm"
    ]


async def tick(program: Program, key: str) -> None:
    """The onboarding step done (as the bot ticks it when it sees it happen)."""
    done = await program.onboarding.complete_step((await term(program)).person_id, key, MOD, Platform.BOT)
    assert done is not None and done.newly_completed


async def test_a_new_term_is_looked_at_by_the_next_sweep_which_sets_its_next_moments(
    program: Program,
) -> None:
    await program.ambassador(ALICE, "alice")
    new = await term(program)
    assert (new.term_due_at, new.nudge_due_at) == (CHECK_NOW, CHECK_NOW)
    await program.reminders.sweep()
    swept = await term(program)
    assert swept.term_due_at == swept.term_end - timedelta(days=60)
    assert swept.nudge_due_at == swept.term_start + NUDGE


async def test_each_decided_reminder_moves_the_term_to_its_next_one_then_to_its_lapse(
    program: Program,
) -> None:
    await program.ambassador(ALICE, "alice")
    end = (await term(program)).term_end
    for days, then in ((60, end - timedelta(days=30)), (30, end - timedelta(days=7)), (7, end + GRACE)):
        program.clock.set(end - timedelta(days=days) + timedelta(hours=1))
        await program.reminders.sweep()
        assert (await term(program)).term_due_at == then
    assert await renewal_dms(program) == [(60, f"{end:%Y%m%d}"), (30, f"{end:%Y%m%d}"), (7, f"{end:%Y%m%d}")]
    program.clock.set(end + GRACE - timedelta(hours=1))
    await program.reminders.sweep()
    assert "ambassador.lapsed" not in await program.audit()
    program.clock.set(end + GRACE + timedelta(hours=1))
    await program.reminders.sweep()
    assert "ambassador.lapsed" in await program.audit()
    lapsed = await term(program)
    assert (lapsed.status, lapsed.term_due_at, lapsed.nudge_due_at) == ("alumni", None, None)
    program.clock.advance(days=400)
    await program.reminders.sweep()
    assert len(await renewal_dms(program)) == 3  # nothing more for a lapsed term


async def test_a_renewed_term_is_reminded_again_before_its_new_end(program: Program) -> None:
    await program.ambassador(ALICE, "alice")
    end = (await term(program)).term_end
    program.clock.set(end - timedelta(days=59))
    await program.reminders.sweep()
    assert (await term(program)).term_due_at == end - timedelta(days=30)
    renewal = await program.applications.submit_renewal(ALICE, RENEWAL)
    await program.applications.approve(renewal.application_id, MOD)
    renewed = await term(program)
    new_end = renewed.term_end
    assert new_end > end and renewed.term_due_at == CHECK_NOW  # looked at again by the next sweep
    program.clock.set(end - timedelta(days=29))  # the old term's 30-day moment: nothing is due now
    await program.reminders.sweep()
    assert (await term(program)).term_due_at == new_end - timedelta(days=60)
    program.clock.set(new_end - timedelta(days=59))
    await program.reminders.sweep()
    assert await renewal_dms(program) == [(60, f"{end:%Y%m%d}"), (60, f"{new_end:%Y%m%d}")]


async def test_a_term_that_ended_early_gets_no_renewal_reminder(program: Program) -> None:
    await program.ambassador(ALICE, "alice")
    end = (await term(program)).term_end
    await program.reminders.sweep()
    prompt = await program.lifecycle.retire_prompt(ALICE)
    await program.lifecycle.retire(ALICE, prompt.ambassador_id)
    retired = await term(program)
    assert (retired.term_due_at, retired.nudge_due_at) == (None, None)
    for at in (end - timedelta(days=59), end - timedelta(days=6), end + GRACE + timedelta(days=1)):
        program.clock.set(at)
        await program.reminders.sweep()
    assert await renewal_dms(program) == []
    assert "ambassador.lapsed" not in await program.audit()


async def test_the_nudge_comes_once_when_due_with_the_steps_still_open(program: Program) -> None:
    await program.ambassador(ALICE, "alice")
    start = (await term(program)).term_start
    program.clock.set(start + NUDGE - timedelta(hours=1))
    await program.reminders.sweep()
    assert await nudges(program) == []
    assert (await term(program)).nudge_due_at == start + NUDGE
    steps = [s.key for s in program.settings.program.onboarding]
    await tick(program, steps[0])
    program.clock.set(start + NUDGE + timedelta(hours=1))
    await program.reminders.sweep()
    assert await nudges(program) == [steps[1:]]
    assert (await term(program)).nudge_due_at is None
    program.clock.advance(days=3)
    await program.reminders.sweep()
    assert len(await nudges(program)) == 1


async def test_no_nudge_once_onboarding_is_done(program: Program) -> None:
    await program.ambassador(ALICE, "alice")
    start = (await term(program)).term_start
    for step in program.settings.program.onboarding:
        await tick(program, step.key)
    program.clock.set(start + NUDGE + timedelta(hours=1))
    await program.reminders.sweep()
    assert await nudges(program) == []
    assert (await term(program)).nudge_due_at is None  # nothing left to look at


async def test_a_stale_read_does_not_undo_a_renewal(program: Program) -> None:
    """The sweep moves a term on only if it was not changed since the sweep read it: a renewal
    that lands between the read and the write keeps its "look again" mark."""
    await program.ambassador(ALICE, "alice")
    stale = await term(program)
    async with program.uow() as uow:
        row = (await uow.session.execute(select(Ambassador).where(Ambassador.id == stale.id))).scalar_one()
        row.term_end = row.term_end + TERM
        row.term_due_at = datetime(2030, 1, 1, tzinfo=START.tzinfo)  # reset by the change itself
    async with program.uow() as uow:
        await uow.terms.advance("term", [(stale, stale.term_end - timedelta(days=60))])
    assert (await term(program)).term_due_at == CHECK_NOW


async def test_a_restart_with_other_reminder_days_honours_them(program: Program) -> None:
    """The moments were set under the old settings; a new process's first sweep redoes them."""
    await program.ambassador(ALICE, "alice")
    end = (await term(program)).term_end
    await program.reminders.sweep()
    assert (await term(program)).term_due_at == end - timedelta(days=60)
    renewals = program.settings.renewals.model_copy(update={"reminder_days": (90, 60, 30, 7)})
    settings = program.settings.model_copy(update={"renewals": renewals})
    restarted = ReminderService(
        ServiceDeps(program.uow, settings, program.roles, program.clock, program.signal)
    )
    program.clock.set(end - timedelta(days=89))
    await restarted.sweep()
    assert await renewal_dms(program) == [(90, f"{end:%Y%m%d}")]
    assert (await term(program)).term_due_at == end - timedelta(days=60)


# -- event series --------------------------------------------------------------------------------

THURSDAY = datetime(2026, 11, 26, 17, 0, tzinfo=UTC)  # the series' first occurrence (START is a Monday)
WEEK = timedelta(days=7)


async def series(program: Program) -> EventSeries:
    async with program.uow() as uow:
        found = await uow.calendar.series_by_key("weekly")
        assert found is not None
        return found


async def event_reminders(program: Program) -> list[str]:
    return [key for key, kind, _payload in await program.outbox("event:") if kind == "slack.post"]


async def test_an_event_series_is_looked_at_again_at_its_next_reminder(program: Program) -> None:
    async with program.uow() as uow:
        await uow.calendar.add_series(
            EventSeries(
                key="weekly",
                title="Weekly call",
                rrule="FREQ=WEEKLY;BYDAY=TH",
                start_local="2026-11-26T17:00",
                timezone="UTC",
                slack_channel="C0EVENTS",
                reminder_offsets=[1440, 60],
            )
        )
    await program.reminders.sweep()
    assert (await series(program)).next_reminder_at == THURSDAY - timedelta(days=1)
    program.clock.set(THURSDAY - timedelta(days=1) + timedelta(minutes=1))
    await program.reminders.sweep()
    assert len(await event_reminders(program)) == 1
    assert (await series(program)).next_reminder_at == THURSDAY - timedelta(hours=1)

    # An edit (a 2-hour reminder instead of the 1-hour one) is looked at by the next sweep.
    async with program.uow() as uow:
        edited = await uow.calendar.series_by_key("weekly")
        assert edited is not None
        edited.reminder_offsets = [1440, 120]
    assert (await series(program)).next_reminder_at == CHECK_NOW
    await program.reminders.sweep()
    assert (await series(program)).next_reminder_at == THURSDAY - timedelta(hours=2)

    # A cancelled occurrence gets no reminder; the series moves on to the next week's.
    async with program.uow() as uow:
        cancelled = OccurrenceOverride(
            series_id=edited.id, occurrence_start=THURSDAY, status=OccurrenceStatus.CANCELLED
        )
        assert await uow.calendar.add_override(cancelled)
    program.clock.set(THURSDAY - timedelta(hours=2) + timedelta(minutes=1))
    await program.reminders.sweep()
    assert len(await event_reminders(program)) == 1
    assert (await series(program)).next_reminder_at == THURSDAY + WEEK - timedelta(days=1)
    program.clock.set(THURSDAY + WEEK - timedelta(days=1) + timedelta(minutes=1))
    await program.reminders.sweep()
    assert len(await event_reminders(program)) == 2
