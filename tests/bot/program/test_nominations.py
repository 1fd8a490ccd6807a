"""Nominations (`bot/program/nominations/`), without HTTP: anyone nominates someone once, the
moderators are asked, and only a moderator invites or declines, once; both sides are told."""

from __future__ import annotations

import pytest

from bot.program.errors import Conflict, InvalidInput, NotAllowed, NotFound
from bot.program.messages import MessageRef
from bot.sandbox.harness.stack import ALICE, BOB, MOD, MOD_CHANNEL
from storage.enums import Platform
from tests.bot.program.conftest import Program

CAROL = "U0CAROL"


async def test_a_nomination_goes_to_the_moderators_once(program: Program) -> None:
    kicks = program.signal.kicks
    nominated = await program.nominations.nominate(ALICE, BOB, "  Runs the Berlin meetup  ")
    assert nominated.nominee == BOB
    review = await program.outbox(f"nomination:{nominated.nomination_id}:")
    assert [(kind, p["channel"], p["template"]) for _k, kind, p in review] == [
        ("slack.post", MOD_CHANNEL, "nomination_review")
    ]
    assert review[0][2]["data"]["reason"] == "Runs the Berlin meetup"
    assert program.signal.kicks == kicks + 1
    with pytest.raises(
        Conflict, match="was already nominated on 2026-11-23 \\(waiting for the moderators\\)"
    ):
        await program.nominations.nominate(CAROL, BOB, "Also great")
    assert len(await program.outbox("nomination:")) == 1


async def test_nominations_that_make_no_sense_are_refused(program: Program) -> None:
    with pytest.raises(Conflict, match="You can't nominate yourself, but you can apply"):
        await program.nominations.nominate(ALICE, ALICE, "I am great")
    with pytest.raises(InvalidInput, match="Please say why you nominate them"):
        await program.nominations.nominate(ALICE, BOB, "   ")
    with pytest.raises(InvalidInput, match="under 2000 characters"):
        await program.nominations.nominate(ALICE, BOB, "x" * 2001)
    await program.ambassador(CAROL, "carol")
    with pytest.raises(Conflict, match="is already an ambassador"):
        await program.nominations.nominate(ALICE, CAROL, "Great")
    assert await program.outbox("nomination:") == []


async def test_an_invitation_tells_the_nominee_and_the_nominator_once(program: Program) -> None:
    nominated = await program.nominations.nominate(ALICE, BOB, "Runs the Berlin meetup")
    card = MessageRef(Platform.SLACK, MOD_CHANNEL, "1700000000.000100")
    decision = await program.nominations.invite(nominated.nomination_id, MOD, card)
    assert (decision.nominee, decision.status) == (BOB, "invited")
    rows = await program.outbox(f"nomination:{nominated.nomination_id}:")
    told = [(kind, p.get("user") or p.get("channel"), p["template"]) for _k, kind, p in rows[1:]]
    assert told == [
        ("slack.dm", BOB, "nomination_invite"),
        ("slack.dm", ALICE, "nomination_outcome"),
        ("slack.update", MOD_CHANNEL, "nomination_review"),
    ]
    with pytest.raises(Conflict, match=f"was already invited by <@{MOD}>"):
        await program.nominations.decline(nominated.nomination_id, MOD)
    assert len(await program.outbox("nomination:")) == 4
    assert "nomination.invited" in await program.audit()


async def test_only_moderators_decide_and_unknown_nominations_are_named(program: Program) -> None:
    nominated = await program.nominations.nominate(ALICE, BOB, "Runs the Berlin meetup")
    with pytest.raises(NotAllowed, match="Only moderators can review nominations"):
        await program.nominations.invite(nominated.nomination_id, ALICE)
    with pytest.raises(NotFound, match="Nomination #999 does not exist"):
        await program.nominations.decline(999, MOD)
    declined = await program.nominations.decline(nominated.nomination_id, MOD)
    assert declined.status == "declined"
    rows = await program.outbox(f"nomination:{nominated.nomination_id}:")
    assert [(kind, p["template"]) for _k, kind, p in rows[1:]] == [("slack.dm", "nomination_outcome")]
    assert rows[1][2]["data"]["status"] == "declined"
