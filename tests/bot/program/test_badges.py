"""Badge grants and revocations by moderators (`bot/program/badges/grants.py`), without HTTP: what is
queued for the forum, what is refused and with which message."""

from __future__ import annotations

import pytest

from bot.program.errors import Conflict, InvalidInput, NotAllowed, NotFound
from bot.sandbox.harness.stack import ALICE, BADGE_ID, BOB, MOD
from tests.bot.program.conftest import FORUM_URL, SPEAKER, Program


async def test_a_moderator_grants_a_badge_once(program: Program) -> None:
    await program.ambassador(ALICE, "alice")
    before = await program.outbox()
    kicks = program.signal.kicks
    change = await program.badges.grant(MOD, ALICE, "speaker", f"{FORUM_URL}/t/welcome/12")
    assert (change.badge.id, change.forum_username, change.action) == (SPEAKER, "alice", "grant")
    new = (await program.outbox())[len(before) :]
    assert [(kind, payload["username"], payload["badge_id"]) for _k, kind, payload in new] == [
        ("discourse.grant_badge", "alice", SPEAKER)
    ]
    assert new[0][2]["reason"] == f"{FORUM_URL}/t/welcome/12"
    assert program.signal.kicks == kicks + 1
    assert "badge.grant_requested" in await program.audit()
    with pytest.raises(Conflict, match="already has “Speaker”"):
        await program.badges.grant(MOD, ALICE, str(SPEAKER), None)
    with pytest.raises(Conflict, match="already has “Ambassador”"):  # approval granted it
        await program.badges.grant(MOD, ALICE, str(BADGE_ID), None)
    assert len(await program.outbox()) == len(before) + 1  # nothing twice


async def test_only_moderators_grant_and_the_refusal_is_recorded(program: Program) -> None:
    await program.ambassador(ALICE, "alice")
    before = await program.outbox()
    with pytest.raises(NotAllowed, match="Only moderators can grant or revoke badges"):
        await program.badges.grant(BOB, ALICE, "Speaker", None)
    assert await program.outbox() == before
    assert (await program.audit())[-1] == "badge.grant.refused"


async def test_refusals_name_what_is_wrong(program: Program) -> None:
    await program.ambassador(ALICE, "alice")
    with pytest.raises(NotFound, match=r"The forum has no badge 'Gold'\. Badges: Ambassador, Speaker\."):
        await program.badges.grant(MOD, ALICE, "Gold", None)
    with pytest.raises(Conflict, match="disabled on the forum"):
        await program.badges.grant(MOD, ALICE, "Old", None)
    with pytest.raises(InvalidInput, match="must be a link to a post or topic"):
        await program.badges.grant(MOD, ALICE, "Speaker", "https://elsewhere.test/t/x/1")
    with pytest.raises(NotFound, match="has no linked forum account"):
        await program.badges.grant(MOD, BOB, "Speaker", None)


async def test_revoking_needs_a_grant_and_queues_the_revocation(program: Program) -> None:
    await program.ambassador(ALICE, "alice")
    with pytest.raises(Conflict, match="alice has no “Speaker” on record"):
        await program.badges.revoke(MOD, ALICE, "Speaker")
    await program.badges.grant(MOD, ALICE, "Speaker", None)
    before = await program.outbox()
    change = await program.badges.revoke(MOD, ALICE, "Speaker")
    assert change.action == "revoke"
    new = (await program.outbox())[len(before) :]
    assert [kind for _k, kind, _p in new] == ["discourse.revoke_badge"]
