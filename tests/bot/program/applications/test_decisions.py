"""Applications (`bot/program/applications/`), without HTTP: an application reaches the moderators
once; only a moderator decides it, once; approval starts a term with its onboarding, rejection
tells the applicant why; the review card is redrawn as decided; a renewal extends the term."""

from __future__ import annotations

from typing import Any

import pytest

from bot.program.applications.messages import ApplicationReview, Rejected, Welcome
from bot.program.errors import Conflict, InvalidInput, NotAllowed, NotFound
from bot.program.messages import MessageRef, decode
from bot.sandbox.harness.stack import ALICE, APPLICATION, BADGE_ID, BOB, MOD, MOD_CHANNEL
from storage.enums import Platform
from tests.bot.program.conftest import Program

CARD = MessageRef(Platform.SLACK, MOD_CHANNEL, "1700000000.000100")


async def told(program: Program, prefix: str) -> list[tuple[str, str, str | None]]:
    """(key suffix, kind, template) of the outbox rows under `prefix`, oldest first."""
    return [
        (key.removeprefix(prefix), kind, p.get("template")) for key, kind, p in await program.outbox(prefix)
    ]


async def payload(program: Program, key: str) -> dict[str, Any]:
    [(_key, _kind, p)] = [row for row in await program.outbox(key) if row[0] == key]
    return p


async def test_an_application_goes_to_the_moderators_once(program: Program) -> None:
    submitted = await program.applications.submit(ALICE, dict(APPLICATION))
    key = f"application:{submitted.application_id}:review"
    review = await payload(program, key)
    assert review["channel"] == MOD_CHANNEL and review["template"] == "application_review"
    follow = {"type": "application_review", "application_id": submitted.application_id}
    assert review["on_delivered"] == follow
    card = decode(ApplicationReview, review["data"])
    assert (card.applicant, card.forum_username, card.can_decide) == (ALICE, "alice", True)
    assert card.motivation == APPLICATION["motivation"] and card.decision is None
    with pytest.raises(Conflict, match="already have an application under review"):
        await program.applications.submit(ALICE, dict(APPLICATION))
    with pytest.raises(Conflict, match="already have an application under review"):
        await program.applications.can_apply(ALICE)
    assert "application.submitted" in await program.audit()


async def test_a_forum_username_belongs_to_one_person(program: Program) -> None:
    await program.applications.submit(ALICE, dict(APPLICATION))
    await program.applications.approve(1, MOD)
    with pytest.raises(InvalidInput, match="belongs to someone else") as caught:
        await program.applications.submit(BOB, dict(APPLICATION))
    assert set(caught.value.fields) == {"forum_username"}


async def test_approval_starts_a_term_with_its_onboarding_and_redraws_the_card(program: Program) -> None:
    submitted = await program.applications.submit(ALICE, dict(APPLICATION))
    prefix = f"application:{submitted.application_id}"
    decided = await program.applications.approve(submitted.application_id, MOD, CARD)
    assert (decided.status, decided.applicant_slack_id, decided.decided_by) == ("approved", ALICE, MOD)
    assert decided.term_end == program.settings.program.term_end(program.clock.now())
    assert await told(program, prefix) == [
        (":review", "slack.post", "application_review"),
        (":badge", "discourse.grant_badge", None),
        (":group", "discourse.add_to_group", None),
        (":welcome", "slack.dm", "welcome"),
        (":review-decided", "slack.update", "application_review"),
    ]
    badge = await payload(program, f"{prefix}:badge")
    assert (badge["username"], badge["badge_id"]) == ("alice", BADGE_ID)
    welcome = decode(Welcome, (await payload(program, f"{prefix}:welcome"))["data"])
    assert welcome.name == APPLICATION["name"] and welcome.steps and welcome.can_ack_guidelines
    update = await payload(program, f"{prefix}:review-decided")
    assert (update["channel"], update["ts"]) == (CARD.channel, CARD.id)
    card = decode(ApplicationReview, update["data"])
    assert (card.decision, card.decided_by, card.can_decide) == ("approved", MOD, False)
    status = await program.applications.status(ALICE)
    assert (status.application_status, status.ambassador_status) == ("approved", "active")
    assert ["application.approved", "ambassador.term_started"] == [
        a for a in await program.audit() if a in ("application.approved", "ambassador.term_started")
    ]


async def test_only_moderators_decide_once_and_unknown_applications_are_named(program: Program) -> None:
    submitted = await program.applications.submit(ALICE, dict(APPLICATION))
    with pytest.raises(NotAllowed, match="Only moderators can review applications"):
        await program.applications.approve(submitted.application_id, BOB)
    with pytest.raises(NotAllowed):
        await program.applications.ensure_moderator(BOB, submitted.application_id)
    with pytest.raises(NotFound, match="Application #999 does not exist"):
        await program.applications.reject(999, MOD, "No")
    await program.applications.ensure_moderator(MOD, submitted.application_id)
    await program.applications.approve(submitted.application_id, MOD)
    with pytest.raises(Conflict, match=f"was already approved by <@{MOD}>"):
        await program.applications.reject(submitted.application_id, MOD, "Changed my mind")
    with pytest.raises(Conflict, match="already approved"):
        await program.applications.ensure_moderator(MOD, submitted.application_id)


async def test_a_rejection_tells_the_applicant_why(program: Program) -> None:
    submitted = await program.applications.submit(ALICE, dict(APPLICATION))
    prefix = f"application:{submitted.application_id}"
    with pytest.raises(InvalidInput, match="Please give a reason"):
        await program.applications.reject(submitted.application_id, MOD, "  ")
    decided = await program.applications.reject(submitted.application_id, MOD, " Link two talks. ")
    assert (decided.status, decided.term_end) == ("rejected", None)
    rejected = await payload(program, f"{prefix}:rejected")
    assert rejected["user"] == ALICE
    assert decode(Rejected, rejected["data"]) == Rejected(
        name=APPLICATION["name"], reason="Link two talks.", program=program.settings.program.name
    )
    # No review message known (never delivered, and the decision came from the Home tab): no redraw.
    assert f"{prefix}:review-decided" not in [key for key, _kind, _p in await program.outbox(prefix)]
    status = await program.applications.status(ALICE)
    assert (status.application_status, status.decision_reason) == ("rejected", "Link two talks.")
    await program.applications.submit(ALICE, dict(APPLICATION))  # may apply again


async def test_a_renewal_extends_the_term_from_its_end(program: Program) -> None:
    await program.ambassador(ALICE, "alice")
    term_end = (await program.applications.status(ALICE)).term_end
    assert term_end is not None
    with pytest.raises(Conflict, match="Only active ambassadors can renew"):
        await program.applications.submit_renewal(BOB, {"reaffirm": "yes", "plans": "More meetups"})
    renewal = await program.applications.submit_renewal(ALICE, {"reaffirm": "yes", "plans": "More meetups"})
    prefix = f"application:{renewal.application_id}"
    card = decode(ApplicationReview, (await payload(program, f"{prefix}:review"))["data"])
    assert card.renewal and card.motivation == "More meetups" and card.term_end == term_end.isoformat()
    with pytest.raises(Conflict, match="under review"):
        await program.applications.submit_renewal(ALICE, {"reaffirm": "yes", "plans": "Again"})
    program.clock.advance(days=1)
    decided = await program.applications.approve(renewal.application_id, MOD, CARD)
    assert decided.term_end == program.settings.program.term_end(term_end)
    assert await told(program, prefix) == [
        (":review", "slack.post", "application_review"),
        (":renewed", "slack.dm", "renewed"),
        (":review-decided", "slack.update", "application_review"),
    ]
    assert "ambassador.term_renewed" in await program.audit()


@pytest.mark.parametrize("program_overrides", [{"renewals": {"auto_approve": True}}])
async def test_an_auto_approved_renewal_needs_no_moderator(program: Program) -> None:
    await program.ambassador(ALICE, "alice")
    renewal = await program.applications.submit_renewal(ALICE, {"reaffirm": "y", "plans": "More meetups"})
    prefix = f"application:{renewal.application_id}"
    assert await told(program, prefix) == [(":renewed", "slack.dm", "renewed")]
    status = await program.applications.status(ALICE)
    assert status.application_status == "approved"
    assert "ambassador.term_renewed" in await program.audit()
