"""The forum reconciliation of `bot/program/badges/sync.py`, without HTTP: what the forum shows is
brought into the records, missing badges and memberships are queued once, and what the bot may not
decide is left to the moderators."""

from __future__ import annotations

from bot.program.badges.forum import ForumUserBadge
from bot.sandbox.harness.stack import ALICE, BADGE_ID, GROUP, MOD_CHANNEL
from tests.bot.program.conftest import Program

ALICE_FORUM_ID = 201


async def sync_rows(program: Program) -> list[tuple[str, dict[str, object]]]:
    return [(kind, payload) for _key, kind, payload in await program.outbox("sync:")]


async def test_what_the_forum_already_shows_is_recorded_and_nothing_is_queued(program: Program) -> None:
    await program.ambassador(ALICE, "alice")
    program.forum_port.holders = {"alice": 77}
    program.forum_port.members = {"alice"}
    report = await program.sync.reconcile()
    assert (report.granted, report.added, report.revoked, report.removed) == ([], [], [], [])
    assert report.leftovers == []
    assert [kind for kind, _p in await sync_rows(program)] == []
    again = await program.sync.reconcile()
    assert (again.changes, again.recorded, again.leftovers) == (0, [], [])
    assert program.forum_port.calls[-2:] == [f"badge_holders:{BADGE_ID}", f"group_members:{GROUP}"]


async def test_a_badge_gone_from_the_forum_is_granted_again_once(program: Program) -> None:
    await program.ambassador(ALICE, "alice")
    program.forum_port.usernames[ALICE_FORUM_ID] = "alice"
    program.forum_port.holders = {"alice": 77}
    program.forum_port.members = {"alice"}
    await program.sync.reconcile()
    await program.forum.badge_revoked(ForumUserBadge(77, BADGE_ID, ALICE_FORUM_ID, granted_by_id=1))
    program.forum_port.holders = {}
    report = await program.sync.reconcile()
    assert report.granted == ["alice"]
    grants = [p for kind, p in await sync_rows(program) if kind == "discourse.grant_badge"]
    assert [(p["username"], p["badge_id"]) for p in grants] == [("alice", BADGE_ID)]
    again = await program.sync.reconcile()  # the grant is on its way: not queued twice
    assert again.granted == []
    assert len([kind for kind, _p in await sync_rows(program) if kind == "discourse.grant_badge"]) == 1


async def test_a_stranger_with_the_badge_is_left_to_the_moderators(program: Program) -> None:
    program.forum_port.holders = {"mallory": 88}
    program.forum_port.members = {"mallory"}
    report = await program.sync.reconcile()
    assert report.leftovers == [
        "mallory (not an ambassador here) holds the ambassador badge",
        f"mallory (not an ambassador here) is in the {GROUP} group",
    ]
    assert report.changes == 0
    told = [p for kind, p in await sync_rows(program) if kind == "slack.post"]
    assert [p["channel"] for p in told] == [MOD_CHANNEL]
    assert "mallory (not an ambassador here) holds the ambassador badge" in str(told[0]["data"])
    assert "sync.discourse" in await program.audit()


async def test_the_nightly_run_happens_once_a_day(program: Program) -> None:
    assert await program.sync.run_nightly() is not None
    assert await program.sync.run_nightly() is None
    program.clock.advance(days=1)
    assert await program.sync.run_nightly() is not None
