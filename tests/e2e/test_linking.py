"""Linking Slack to the forum: a one-time code by forum PM, confirmed in Slack; moderators by hand."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select, update

from bot.sandbox.harness.stack import ALICE, BOB, MOD, Stack
from storage.linking import LinkCode
from storage.models import Person
from tests.e2e.lifecycle import audit_actions, make_ambassador, say


async def person(stack: Stack, slack_id: str) -> Person:
    async with stack.runtime.uow() as uow:
        found = (
            await uow.session.execute(select(Person).where(Person.slack_user_id == slack_id))
        ).scalar_one()
        return found


async def codes(stack: Stack) -> list[LinkCode]:
    async with stack.runtime.uow() as uow:
        return list((await uow.session.execute(select(LinkCode).order_by(LinkCode.id))).scalars())


async def request_code(stack: Stack, user: str, forum_username: str) -> str:
    answer = await say(stack, user, f"link {forum_username}")
    assert "I sent a one-time code" in answer, answer
    await stack.settle()
    pm = stack.forum.pms_to(forum_username)[-1]
    assert pm["title"].startswith("Your ambassador-bot link code")
    found = re.search(r"\*\*([A-Z0-9]{4}-[A-Z0-9]{4})\*\*", pm["raw"])
    assert found is not None, pm["raw"]
    return found.group(1)


async def test_code_by_forum_pm_links_the_account_once(stack: Stack) -> None:
    code = await request_code(stack, BOB, "bob")
    [stored] = await codes(stack)
    assert code not in stored.code_hash and code.replace("-", "") not in stored.code_hash  # only a hash

    wrong = "ZZZZ-ZZZZ" if code != "ZZZZ-ZZZZ" else "YYYY-YYYY"
    assert "not right. 4 tries left" in await say(stack, BOB, f"link confirm {wrong}")
    assert (await person(stack, BOB)).forum_linked_at is None

    answer = await say(stack, BOB, f"link confirm {code.lower().replace('-', ' ')}")  # forgiving about format
    assert "now linked to the forum account *bob*" in answer
    bob = await person(stack, BOB)
    assert bob.forum_username == "bob" and bob.forum_linked_at is not None
    # Single use.
    assert "No link is waiting" in await say(stack, BOB, f"link confirm {code}")
    assert "already linked" in await say(stack, BOB, "link bob")
    actions = await audit_actions(stack)
    assert "link.code_sent" in actions and "link.code_wrong" in actions and "link.confirmed" in actions


async def test_expired_code_is_refused(stack: Stack) -> None:
    code = await request_code(stack, BOB, "bob")
    async with stack.runtime.uow() as uow:
        past = stack.runtime.clock.now() - timedelta(seconds=1)
        await uow.session.execute(update(LinkCode).values(expires_at=past))
    assert "expired" in await say(stack, BOB, f"link confirm {code}")
    assert (await person(stack, BOB)).forum_linked_at is None
    # A new code works, and voids the old one.
    old = code
    new = await request_code(stack, BOB, "bob")
    if new != old:
        assert "not right" in await say(stack, BOB, f"link confirm {old}")
    assert "now linked" in await say(stack, BOB, f"link confirm {new}")


async def test_five_wrong_tries_burn_the_code(stack: Stack) -> None:
    code = await request_code(stack, BOB, "bob")
    wrong = "ZZZZ-ZZZZ" if code != "ZZZZ-ZZZZ" else "YYYY-YYYY"
    answers = [await say(stack, BOB, f"link confirm {wrong}") for _ in range(5)]
    assert "4 tries left" in answers[0] and "1 try left" in answers[3] and "last try" in answers[4]
    assert "Too many wrong tries" in await say(stack, BOB, f"link confirm {code}")
    assert (await person(stack, BOB)).forum_linked_at is None
    assert [c.attempts for c in await codes(stack)] == [5]


async def test_a_forum_account_belongs_to_one_person(stack: Stack) -> None:
    await make_ambassador(stack)  # approval links alice's forum account (the moderator vouches)
    alice = await person(stack, ALICE)
    assert alice.forum_username == "alice" and alice.forum_linked_at is not None
    assert "already linked to someone else" in await say(stack, BOB, "link alice")
    assert "already linked to someone else" in await say(stack, MOD, f"link <@{BOB}> alice")
    assert stack.forum.pms_to("alice") == []


async def test_moderators_link_by_hand_and_others_are_refused(stack: Stack) -> None:
    assert "Only moderators" in await say(stack, BOB, f"link <@{ALICE}> bob")
    assert "now linked" in await say(stack, MOD, f"link <@{BOB}|bob> bob")
    bob = await person(stack, BOB)
    assert bob.forum_username == "bob" and bob.forum_linked_at is not None
    actions = await audit_actions(stack)
    assert "link.manual.refused" in actions and "link.by_moderator" in actions
    assert stack.forum.pms_to("bob") == []  # no code needed


async def test_bad_input_gets_usage_and_changes_nothing(stack: Stack) -> None:
    assert "Usage:" in await say(stack, BOB, "link")
    assert "Usage:" in await say(stack, BOB, "link confirm")
    assert "doesn't look like a forum username" in await say(stack, BOB, "link ünï🎉")
    assert "Usage:" in await say(stack, BOB, "link two names")
    # Slack escapes `@alice` (a member) for the command; a name it does not know stays as typed.
    assert "mention them with @" in await say(stack, BOB, "link @zed alice")
    assert "No link is waiting" in await say(stack, BOB, "link confirm ABCD-EFGH")
    assert "Usage:" in await say(stack, MOD, f"link <@{BOB}>")
    assert "forum username" in await say(stack, MOD, f"link <@{BOB}> {'x' * 500}")
    assert await codes(stack) == []
    await stack.settle()
    assert stack.forum.pms_to("bob") == []
