"""Views the moderators and reviewers must see in full, within Slack's limits (issue 13, items 4
and 5), end to end: the Slack stand-in refuses any payload Slack would refuse."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.sandbox.harness.stack import ALICE, MOD, MOD_CHANNEL, Stack, start_stack
from tests.e2e.lifecycle import make_ambassador
from tests.e2e.test_user_groups import AUCKLAND, open_approve, request_group, reviews


def shown(blocks: list[dict[str, Any]]) -> str:
    """What a reader sees: the texts of the blocks, unescaped as Slack shows them."""
    parts: list[str] = []
    for b in blocks:
        if isinstance(b.get("text"), dict):
            parts.append(b["text"]["text"])
        for e in b.get("elements") or []:
            if isinstance(e, dict) and isinstance(e.get("text"), str):
                parts.append(e["text"])
    joined = "".join(parts)
    return joined.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


@pytest.fixture
async def stack(db_url: str) -> AsyncIterator[Stack]:
    async with start_stack(db_url, groups={"community_managers": [MOD]}) as s:
        yield s


async def test_a_3000_character_motivation_reaches_the_moderators_whole(stack: Stack) -> None:
    words = ("I organise meetups & workshops <for newcomers> in Lisbon. " * 60)[:2999] + "!"
    assert len(words) == 3000  # the form's limit for the motivation
    review = await stack.apply(motivation=words)
    assert "".join(words.split()) in "".join(shown(review["blocks"]).split())
    assert all(len(b["text"]["text"]) <= 3000 for b in review["blocks"] if "text" in b)


async def test_a_reject_reason_full_of_markup_reaches_the_review_and_the_applicant_whole(
    stack: Stack,
) -> None:
    review = await stack.apply()
    await stack.actor.click(MOD, MOD_CHANNEL, review["ts"], "application_reject")
    view = await stack.wait_for_view(MOD)
    reason = "<&>" * 666 + "ok"  # 2000 characters, 10 000 once escaped
    resp = await stack.actor.submit_view(MOD, view["id"], {"reason": {"reason_input": reason}})
    assert resp.status_code == 200
    await stack.settle()
    updated = stack.slack.find_message(MOD_CHANNEL, review["ts"]) or {}
    assert reason in shown(updated["blocks"])
    dm = stack.slack.dms_to(ALICE)[-1]
    assert reason in shown(dm["blocks"])
    assert "<!channel>" not in str(updated["blocks"]) and "<&>" not in str(dm["blocks"])


async def test_the_mentor_picker_opens_with_a_long_name_and_keeps_its_star(stack: Stack) -> None:
    long_name = "Alexandra " + "Maximiliana-Wilhelmina " * 4  # 100 characters with the rest
    await make_ambassador(stack, ALICE, name=long_name[:100], location="Auckland, New Zealand")
    await request_group(stack, **AUCKLAND)
    [review] = reviews(stack)
    view = await open_approve(stack, MOD, review)
    assert view["callback_id"] == "group_approve_submit", view
    [mentor] = [b for b in view["blocks"] if b.get("block_id") == "mentor"]
    label = mentor["element"]["options"][0]["text"]["text"]
    assert len(label) <= 75 and label.endswith(" ★") and label.startswith("Alexandra")
    assert re.search(r"…", label)
