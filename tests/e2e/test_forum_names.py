"""Forum usernames are checked with the forum when they are given: linking and user-group organisers
refuse a name the forum has no account for, at once and changing nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from bot.sandbox.harness.stack import BOB, MOD, Stack
from storage.models import Person
from tests.e2e.lifecycle import audit_actions, say
from tests.e2e.test_linking import codes, person
from tests.e2e.test_user_groups import _stack, organisers_in_db, request_group


async def people(stack: Stack) -> list[Person]:
    async with stack.runtime.uow() as uow:
        return list((await uow.session.execute(select(Person))).scalars())


async def test_a_moderator_cannot_link_a_forum_account_that_does_not_exist(stack: Stack) -> None:
    answer = await say(stack, MOD, f"link <@{BOB}> bobby")
    assert "no forum account named bobby" in answer
    assert await people(stack) == []  # not even a record of Bob was made
    assert "link.by_moderator" not in await audit_actions(stack)
    # The forum's own spelling is the one recorded.
    assert "now linked" in await say(stack, MOD, f"link <@{BOB}> BOB")
    assert (await person(stack, BOB)).forum_username == "bob"


async def test_no_link_code_goes_to_a_forum_account_that_does_not_exist(stack: Stack) -> None:
    assert "no forum account named bobby" in await say(stack, BOB, "link bobby")
    assert await codes(stack) == []
    await stack.settle()
    assert stack.forum.pms_to("bobby") == [] and stack.forum.calls_to("POST", "/posts") == []


async def test_when_the_forum_cannot_be_asked_nothing_is_linked(stack: Stack) -> None:
    stack.forum.down = True
    assert "could not reach the forum" in await say(stack, MOD, f"link <@{BOB}> bob")
    assert "could not reach the forum" in await say(stack, BOB, "link bob")
    stack.forum.down = False
    assert await people(stack) == [] and await codes(stack) == []


async def test_a_forum_that_does_not_answer_in_time_is_not_waited_for(stack: Stack) -> None:
    """Slack wants the command answered within 3 s: a forum that hangs gets "try again"."""
    stack.forum.hang_next("GET", "/users/bob", seconds=4, after_effect=False)
    assert "could not reach the forum" in await say(stack, MOD, f"link <@{BOB}> bob")
    assert await people(stack) == []


@pytest.fixture
async def gstack(db_url: str) -> AsyncIterator[Stack]:
    async for s in _stack(db_url):
        yield s


async def test_an_organiser_who_is_not_on_the_forum_is_refused_when_added(gstack: Stack) -> None:
    stack = gstack
    await request_group(stack)  # #1, by Bob
    answer = await say(stack, MOD, "group organiser add #1 zed")
    assert "no forum account named zed" in answer
    assert await organisers_in_db(stack, 1) == [(BOB, None)]
    assert "now an organiser" in await say(stack, MOD, "group organiser add #1 FRANK")
    assert await organisers_in_db(stack, 1) == [(BOB, None), (None, "frank")]


async def test_the_request_form_refuses_a_forum_organiser_the_forum_does_not_know(gstack: Stack) -> None:
    stack = gstack
    await stack.actor.slash(BOB, "group request")
    view = await stack.wait_for_view(BOB)
    values = {
        "name": {"name": "Stackers of Auckland"},
        "city": {"city": "Auckland"},
        "country": {"country": "New Zealand"},
        "description": {"description": "Monthly OpenStack talks and hands-on labs in Auckland."},
        "organisers_forum": {"organisers_forum": "frank, zed"},
    }
    await stack.actor.submit_view(BOB, view["id"], values)
    errors = stack.actor.last_view_errors or {}
    assert set(errors) == {"organisers_forum"} and "no forum account named zed" in errors["organisers_forum"]
    assert await organisers_in_db(stack, 1) == []
