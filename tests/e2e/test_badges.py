"""Moderators grant and revoke forum badges from Slack; webhooks about those grants don't double-count."""

from __future__ import annotations

from sqlalchemy import select

from bot.sandbox.harness.stack import ALICE, BOB, MOD, MOD_CHANNEL, Stack
from storage.forum import BadgeGrant
from storage.models import AuditEntry

SPEAKER = 110


async def _approved(stack: Stack) -> None:
    stack.forum.add_badge("Speaker", badge_id=SPEAKER)
    review = await stack.apply()
    await stack.actor.click(MOD, MOD_CHANNEL, review["ts"], "application_approve")
    await stack.settle()


async def _say(stack: Stack, user: str, text: str) -> str:
    resp = await stack.actor.slash(user, text)
    assert resp.status_code == 200
    return str(resp.json()["text"])


async def _grants(stack: Stack, badge_id: int) -> list[BadgeGrant]:
    async with stack.runtime.uow() as uow:
        stmt = select(BadgeGrant).where(BadgeGrant.badge_id == badge_id)
        return list((await uow.session.execute(stmt)).scalars())


async def test_moderator_grants_by_name_with_a_reason_and_revokes_by_id(stack: Stack) -> None:
    await _approved(stack)
    link = f"{stack.settings.discourse.url}/t/community-talk/42"
    answer = await _say(stack, MOD, f"badge grant <@{ALICE}|alice> speaker reason <{link}>")
    assert "Granting “Speaker” to alice" in answer
    await stack.settle()
    assert sorted(stack.forum.badges_of("alice")) == ["Ambassador", "Speaker"]
    grant_call = stack.forum.calls_to("POST", "/user_badges")[-1]
    assert grant_call[2].get("reason") == link

    # Discourse tells the bot about that grant by webhook: the same grant, not a second one.
    ub = next(u for u in stack.forum.user_badges if u["badge_id"] == SPEAKER)
    payload = stack.forum_actor.user_badge_payload(ub["id"], SPEAKER, ub["user_id"], -1)
    for event_id in (1, 2):
        resp = await stack.forum_actor.send("user_badge_granted", payload, event_id=event_id)
        assert resp.status_code == 200
    assert [(g.status, g.source) for g in await _grants(stack, SPEAKER)] == [("granted", "bot")]

    assert "already has" in await _say(stack, MOD, f"badge grant <@{ALICE}> {SPEAKER}")
    assert "Revoking “Speaker” from alice" in await _say(stack, MOD, f"badge revoke <@{ALICE}> {SPEAKER}")
    await stack.settle()
    assert stack.forum.badges_of("alice") == ["Ambassador"]
    assert [g.status for g in await _grants(stack, SPEAKER)] == ["revoked"]


async def test_refusals_are_clear_and_change_nothing(stack: Stack) -> None:
    await _approved(stack)
    assert "Only moderators" in await _say(stack, BOB, f"badge grant <@{ALICE}> Speaker")
    assert "no badge 'Nope'" in await _say(stack, MOD, f"badge grant <@{ALICE}> Nope")
    assert "must be a link to a post or topic" in await _say(
        stack, MOD, f"badge grant <@{ALICE}> Speaker reason https://elsewhere.example/t/x/1"
    )
    assert "no linked forum account" in await _say(stack, MOD, f"badge grant <@{BOB}> Speaker")
    assert "Usage:" in await _say(stack, MOD, "badge give alice")
    assert "is not a Slack user" in await _say(stack, MOD, "badge grant alice Speaker")
    assert "no “Speaker” on record" in await _say(stack, MOD, f"badge revoke <@{ALICE}> Speaker")
    await stack.settle()
    assert await _grants(stack, SPEAKER) == []
    assert "Speaker" not in stack.forum.badges_of("alice")
    async with stack.runtime.uow() as uow:
        actions = [a.action for a in (await uow.session.execute(select(AuditEntry))).scalars()]
    assert "badge.grant.refused" in actions
