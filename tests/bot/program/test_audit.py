"""The audit trail (`bot/program/audit.py`), without HTTP: moderators read what happened to a
person, newest first, including what others did to them; anyone else is refused, and the refusal
is itself on record."""

from __future__ import annotations

import pytest

from bot.program.errors import NotAllowed, NotFound
from bot.sandbox.harness.stack import ALICE, BOB, MOD
from tests.bot.program.conftest import Program


async def test_a_moderator_reads_a_persons_story_newest_first(program: Program) -> None:
    await program.ambassador(ALICE, "alice")
    await program.ambassador(BOB, "bob")  # what happened to Bob is not Alice's story
    prompt = await program.lifecycle.retire_prompt(ALICE)
    await program.lifecycle.retire(ALICE, prompt.ambassador_id)

    report = await program.audit_log.about(MOD, ALICE)

    assert [(line.actor, line.action) for line in report.lines] == [
        (ALICE, "ambassador.stepped_down"),
        (MOD, "ambassador.term_started"),
        (MOD, "application.approved"),
        (MOD, "link.by_moderator"),
        (ALICE, "application.submitted"),
    ]


async def test_only_moderators_read_it_and_a_refusal_is_recorded(program: Program) -> None:
    await program.ambassador(ALICE, "alice")
    with pytest.raises(NotAllowed, match="Only moderators can read the audit log"):
        await program.audit_log.about(BOB, ALICE)
    assert (await program.audit())[-1] == "audit.view.refused"


async def test_someone_the_log_never_heard_of(program: Program) -> None:
    with pytest.raises(NotFound, match="nothing in the audit log about <@U0NOBODY>"):
        await program.audit_log.about(MOD, "U0NOBODY")
