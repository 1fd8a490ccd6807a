"""The webhook-driven rules of `bot/program/badges/forum.py`, without HTTP: each forum event changes the
records once however often it is delivered, and the bot only acts on what concerns it."""

from __future__ import annotations

from typing import Any

import pytest

from bot.program.badges.forum import ForumGroupUser, ForumPost, ForumUser, ForumUserBadge
from bot.program.errors import Conflict
from bot.sandbox.harness.stack import ALICE, APPLICATION, BADGE_ID, MOD, MOD_CHANNEL
from handlers.discourse.renderers import discourse_renderers
from tests.bot.program.conftest import GROUP_ID, SPEAKER, Program

INTRO_TOPIC = 10
ALICE_FORUM_ID = 201


@pytest.fixture
def program_overrides() -> dict[str, Any]:
    return {"discourse": {"intro_topic_id": INTRO_TOPIC}}


def post(
    post_id: int, topic_id: int = INTRO_TOPIC, username: str = "alice", raw: str = "Hello!"
) -> ForumPost:
    return ForumPost(
        post_id=post_id,
        topic_id=topic_id,
        post_number=2,
        username=username,
        user_id=ALICE_FORUM_ID if username == "alice" else None,
        raw=raw,
        archetype="regular",
        category_id=None,
        topic_title="Introductions",
    )


async def intro_done(program: Program) -> bool:
    checklist = await program.onboarding.checklist(ALICE)
    return any(step.key == "intro" and step.done for step in checklist.steps)


async def test_an_intro_post_ticks_the_intro_step_once(program: Program) -> None:
    await program.ambassador(ALICE, "alice")
    program.forum_port.usernames[ALICE_FORUM_ID] = "alice"
    assert not await intro_done(program)
    assert (await program.forum.post_created(post(500, topic_id=11))).note == "not a post the bot acts on"
    assert not await intro_done(program)
    outcome = await program.forum.post_created(post(501))
    assert (outcome.result, outcome.note) == ("done", "intro step completed")
    assert await intro_done(program)
    assert (await program.forum.post_created(post(501))).result == "duplicate"
    again = await program.forum.post_created(post(502))
    assert (again.result, again.note) == ("ignored", "no open intro step")
    assert (await program.audit()).count("onboarding.step_completed") == 1


async def test_intro_posts_of_strangers_and_of_the_bot_are_ignored(program: Program) -> None:
    stranger = await program.forum.post_created(post(600, username="mallory"))
    assert (stranger.result, stranger.note) == ("ignored", "intro by mallory, who is not a linked ambassador")
    own = await program.forum.post_created(post(601, username="system"))
    assert (own.result, own.note) == ("ignored", "the bot's own post")


async def test_a_badge_granted_on_the_forum_is_recorded_once(program: Program) -> None:
    await program.ambassador(ALICE, "alice")
    program.forum_port.usernames[ALICE_FORUM_ID] = "alice"
    granted = ForumUserBadge(user_badge_id=900, badge_id=SPEAKER, user_id=ALICE_FORUM_ID, granted_by_id=1)
    outcome = await program.forum.badge_granted(granted)
    assert (outcome.result, outcome.note) == ("done", "granted on the forum")
    assert (await program.forum.badge_granted(granted)).result == "duplicate"
    assert (await program.audit()).count("badge.granted") == 1
    with pytest.raises(Conflict, match="already has “Speaker”"):
        await program.badges.grant(MOD, ALICE, "Speaker", None)
    unknown = ForumUserBadge(user_badge_id=901, badge_id=SPEAKER, user_id=999, granted_by_id=1)
    assert (await program.forum.badge_granted(unknown)).note == "forum user 999 unknown"


async def test_the_ambassador_badge_removed_on_the_forum_is_told_to_moderators_once(program: Program) -> None:
    await program.ambassador(ALICE, "alice")
    program.forum_port.usernames[ALICE_FORUM_ID] = "alice"
    before = len(await program.outbox())
    revoked = ForumUserBadge(user_badge_id=902, badge_id=BADGE_ID, user_id=ALICE_FORUM_ID, granted_by_id=1)
    outcome = await program.forum.badge_revoked(revoked)
    assert (outcome.result, outcome.note) == ("done", "revocation recorded")
    assert (await program.forum.badge_revoked(revoked)).result == "duplicate"
    told = (await program.outbox())[before:]
    assert [(kind, payload["channel"]) for _k, kind, payload in told] == [("slack.post", MOD_CHANNEL)]
    assert "ambassador badge of alice" in told[0][2]["data"]["text"]


async def test_group_membership_changes_are_recorded_once_and_other_groups_ignored(program: Program) -> None:
    await program.ambassador(ALICE, "alice")
    program.forum_port.usernames[ALICE_FORUM_ID] = "alice"
    other = await program.forum.group_changed(ForumGroupUser(1, GROUP_ID + 1, ALICE_FORUM_ID), added=True)
    assert other.note == "another group"
    removed = await program.forum.group_changed(ForumGroupUser(2, GROUP_ID, ALICE_FORUM_ID), added=False)
    assert removed.result == "done"
    assert (
        await program.forum.group_changed(ForumGroupUser(2, GROUP_ID, ALICE_FORUM_ID), added=False)
    ).result == ("duplicate")
    same = await program.forum.group_changed(ForumGroupUser(3, GROUP_ID, ALICE_FORUM_ID), added=False)
    assert (same.result, same.note) == ("ignored", "membership already on record")
    assert (await program.audit()).count("group.member_removed") == 1


async def test_a_new_forum_account_is_noted_on_the_pending_application(program: Program) -> None:
    submitted = await program.applications.submit(ALICE, dict(APPLICATION))
    outcome = await program.forum.user_created(ForumUser(user_id=ALICE_FORUM_ID, username="alice"))
    assert outcome.note == f"forum account alice noted on application #{submitted.application_id}"
    assert (await program.forum.user_created(ForumUser(ALICE_FORUM_ID, "alice"))).result == "duplicate"
    nobody = await program.forum.user_created(ForumUser(user_id=300, username="zed"))
    assert nobody.note == "no pending application with that forum username"


async def test_a_command_is_answered_once_in_its_topic(program: Program) -> None:
    command = post(700, topic_id=55, raw="@system status")
    assert program.forum.addressed_to_bot(command) == "status"
    assert program.forum.addressed_to_bot(post(701, topic_id=55, raw="no mention")) is None
    assert (await program.forum.answer(command, "All fine.")).result == "done"
    assert (await program.forum.answer(command, "All fine.")).result == "duplicate"
    replies = await program.outbox("forum-reply:")
    posts = discourse_renderers()
    assert [
        (
            kind,
            payload["topic_id"],
            payload["reply_to_post_number"],
            posts.render(payload["template"], payload["data"]),
        )
        for _k, kind, payload in replies
    ] == [("discourse.post", 55, command.post_number, (None, "All fine."))]
