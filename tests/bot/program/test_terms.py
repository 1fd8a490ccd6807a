"""Terms (`bot/program/terms/`), without HTTP: an active ambassador can end their own term once;
the badge and the group the program gave are taken back on the forum, the moderators are told,
and a stale or foreign button changes nothing."""

from __future__ import annotations

import pytest

from bot.program.errors import Conflict, NotFound
from bot.sandbox.harness.stack import ALICE, BOB, MOD_CHANNEL
from tests.bot.program.conftest import START, Program


async def test_stepping_down_ends_the_term_and_takes_back_what_the_program_gave(program: Program) -> None:
    await program.ambassador(ALICE, "alice")
    before = len(await program.outbox())
    prompt = await program.lifecycle.retire_prompt(ALICE)
    assert (prompt.term_start, prompt.term_end.year) == (START, START.year + 2)

    retired = await program.lifecycle.retire(ALICE, prompt.ambassador_id)

    assert retired.forum_actions == 2
    sent = (await program.outbox())[before:]
    assert [kind for _key, kind, _payload in sent] == [
        "discourse.revoke_badge",
        "discourse.remove_from_group",
        "slack.post",
        "slack.home",
    ]
    told = sent[2][2]
    assert (told["channel"], told["template"], told["data"]["user"]) == (
        MOD_CHANNEL,
        "stepped_down",
        ALICE,
    )
    assert sent[0][2]["username"] == sent[1][2]["username"] == "alice"
    assert (await program.audit())[-1] == "ambassador.stepped_down"


async def test_a_term_ends_once(program: Program) -> None:
    await program.ambassador(ALICE, "alice")
    prompt = await program.lifecycle.retire_prompt(ALICE)
    await program.lifecycle.retire(ALICE, prompt.ambassador_id)
    queued = len(await program.outbox())
    with pytest.raises(NotFound, match="not an active ambassador"):
        await program.lifecycle.retire_prompt(ALICE)
    with pytest.raises(Conflict, match="already ended; you are an alumnus"):
        await program.lifecycle.retire(ALICE, prompt.ambassador_id)
    assert len(await program.outbox()) == queued
    assert (await program.audit()).count("ambassador.stepped_down") == 1


async def test_someone_elses_or_a_stale_button_changes_nothing(program: Program) -> None:
    await program.ambassador(ALICE, "alice")
    prompt = await program.lifecycle.retire_prompt(ALICE)
    queued, audited = len(await program.outbox()), len(await program.audit())
    with pytest.raises(NotFound, match="not yours or is out of date"):
        await program.lifecycle.retire(BOB, prompt.ambassador_id)  # Bob pressed Alice's button
    with pytest.raises(NotFound, match="not yours or is out of date"):
        await program.lifecycle.retire(ALICE, prompt.ambassador_id + 1)
    assert (len(await program.outbox()), len(await program.audit())) == (queued, audited)
