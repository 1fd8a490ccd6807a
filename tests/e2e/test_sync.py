"""Reconciliation: start from a forum that disagrees with the records, end in agreement, with the
leftovers reported to the moderators."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select, update

from bot.sandbox.harness.stack import ALICE, BADGE_ID, BOB, GROUP, MOD, MOD_CHANNEL, Stack
from storage.forum import BadgeGrant
from storage.models import Ambassador, Person


async def _approve(stack: Stack, user: str, forum_username: str) -> None:
    review = await stack.apply(user=user, forum_username=forum_username, name=forum_username.title())
    await stack.actor.click(MOD, MOD_CHANNEL, review["ts"], "application_approve")
    await stack.settle()


async def test_reconcile_fixes_what_the_bot_owns_and_reports_the_rest(stack: Stack) -> None:
    forum = stack.forum
    await _approve(stack, ALICE, "alice")
    await _approve(stack, BOB, "bob")
    # The forum drifts: alice's badge and membership were removed by hand...
    forum.user_badges[:] = [ub for ub in forum.user_badges if ub["user_id"] != forum.users["alice"]["id"]]
    forum.groups[GROUP].members.discard("alice")
    # ...carol, who is no ambassador here, was given both by hand...
    forum.user_badges.append(
        {
            "id": 900,
            "user_id": forum.users["carol"]["id"],
            "badge_id": BADGE_ID,
            "granted_at": "2026-01-01T00:00:00Z",
            "created_at": "2026-01-01T00:00:00Z",
            "granted_by_id": -1,
            "post_id": None,
            "reason": None,
        }
    )
    forum.groups[GROUP].members.add("carol")
    # ...and bob stepped down here (alumni) but still holds what the bot gave him.
    async with stack.runtime.uow() as uow:
        bob = (await uow.session.execute(select(Person).where(Person.slack_user_id == BOB))).scalar_one()
        await uow.session.execute(
            update(Ambassador).where(Ambassador.person_id == bob.id).values(status="alumni")
        )

    report = await stack.runtime.services.sync.reconcile()
    await stack.settle()

    assert report.granted == ["alice"] and report.added == ["alice"]
    assert report.revoked == ["bob"] and report.removed == ["bob"]
    assert sorted(report.leftovers) == [
        "carol (not an ambassador here) holds the ambassador badge",
        "carol (not an ambassador here) is in the ambassadors group",
    ]
    # The forum now agrees with the program...
    assert forum.badges_of("alice") == ["Ambassador"] and forum.badges_of("bob") == []
    assert forum.members_of(GROUP) == {"alice", "carol"}
    # ...and so do the records.
    async with stack.runtime.uow() as uow:
        grants = {
            (g.person_id, g.status)
            for g in (
                await uow.session.execute(select(BadgeGrant).where(BadgeGrant.badge_id == BADGE_ID))
            ).scalars()
        }
    assert (bob.id, "revoked") in grants and all(s in ("granted", "revoked") for _p, s in grants)
    # The moderators were told, leftovers included.
    notes = [
        m["text"]
        for m in stack.slack.messages_in(MOD_CHANNEL)
        if m["text"].startswith("Forum reconciliation")
    ]
    assert len(notes) == 1 and "carol (not an ambassador here)" in notes[0]

    # A second run finds nothing to fix; only the leftovers remain to be decided.
    again = await stack.runtime.services.sync.reconcile()
    assert again.changes == 0 and len(again.leftovers) == 2


async def test_nightly_run_happens_once_a_day_across_replicas(stack: Stack) -> None:
    first = await stack.runtime.services.sync.run_nightly()
    second = await stack.runtime.services.sync.run_nightly()  # another replica, same day
    assert first is not None and second is None


async def test_cli_sync_discourse_reports_and_delivers(stack: Stack, tmp_path: Path) -> None:
    from tests.e2e.test_import import cli

    await _approve(stack, ALICE, "alice")
    stack.forum.groups[GROUP].members.discard("alice")
    code, text, err = await cli(stack, tmp_path, "sync", "discourse")
    assert code == 0, err
    assert "Group additions queued: 1: alice" in text and "All fixes delivered." in text
    assert "alice" in stack.forum.members_of(GROUP)
