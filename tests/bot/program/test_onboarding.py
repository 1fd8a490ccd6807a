"""The onboarding checklist of `bot/program/onboarding/`, without HTTP: who may tick which step,
each step ticked once, the Home tab refreshed, and who is stuck."""

from __future__ import annotations

import pytest

from bot.program.errors import Conflict, NotAllowed, NotFound
from bot.program.onboarding.steps import Checklist
from bot.sandbox.harness.stack import ALICE, BOB, MOD
from tests.bot.program.conftest import Program


def step_completed_by(checklist: Checklist, how: str) -> str:
    return next(s.key for s in checklist.steps if s.completes == how)


async def test_a_button_step_is_ticked_once_and_the_home_tab_refreshed(program: Program) -> None:
    await program.ambassador(ALICE, "alice")
    checklist = await program.onboarding.checklist(ALICE)
    assert checklist.done == 0
    key = step_completed_by(checklist, "button")
    homes = len([k for k in await program.kinds() if k == "slack.home"])
    first = await program.onboarding.complete_by_button(ALICE, key)
    assert (first.key, first.newly_completed, first.remaining) == (key, True, len(checklist.steps) - 1)
    assert len([k for k in await program.kinds() if k == "slack.home"]) == homes + 1
    again = await program.onboarding.complete_by_button(ALICE, key)
    assert again.newly_completed is False
    assert (await program.audit()).count("onboarding.step_completed") == 1
    assert (await program.onboarding.checklist(ALICE)).done == 1


async def test_steps_are_ticked_only_the_way_they_are_meant(program: Program) -> None:
    await program.ambassador(ALICE, "alice")
    checklist = await program.onboarding.checklist(ALICE)
    by_moderator = step_completed_by(checklist, "moderator")
    with pytest.raises(Conflict, match="not by a button"):
        await program.onboarding.complete_by_button(ALICE, by_moderator)
    with pytest.raises(Conflict, match="is not ticked by moderators"):
        await program.onboarding.complete_by_moderator(MOD, ALICE, step_completed_by(checklist, "button"))
    with pytest.raises(NotFound, match=r"There is no onboarding step called 'nope'\. Steps: "):
        await program.onboarding.complete_by_button(ALICE, "nope")
    done = await program.onboarding.complete_by_moderator(MOD, ALICE, by_moderator)
    assert done.newly_completed is True


async def test_only_moderators_tick_or_look_at_someone_elses_checklist(program: Program) -> None:
    await program.ambassador(ALICE, "alice")
    key = step_completed_by(await program.onboarding.checklist(ALICE), "moderator")
    with pytest.raises(NotAllowed, match="Only moderators can tick onboarding steps for someone"):
        await program.onboarding.complete_by_moderator(BOB, ALICE, key)
    with pytest.raises(NotAllowed, match="Only moderators can see someone else's checklist"):
        await program.onboarding.checklist(BOB, ALICE)
    with pytest.raises(NotAllowed, match="Only moderators can see who is stuck"):
        await program.onboarding.stuck(BOB)
    assert (await program.onboarding.checklist(MOD, ALICE)).done == 0
    assert (await program.audit()).count("onboarding.step_completed") == 0


async def test_people_without_a_term_have_no_checklist(program: Program) -> None:
    with pytest.raises(NotFound, match="You are not an active ambassador, so there is no checklist to tick"):
        await program.onboarding.complete_by_button(BOB, "intro")
    with pytest.raises(NotFound, match="is not an active ambassador"):
        await program.onboarding.checklist(MOD, BOB)


async def test_moderators_see_who_is_stuck(program: Program) -> None:
    await program.ambassador(ALICE, "alice")
    program.clock.advance(days=20)
    report = await program.onboarding.stuck(MOD)
    assert [(e.slack_user_id, e.days_since_approval) for e in report.entries] == [(ALICE, 20)]
    assert report.entries[0].open_steps
