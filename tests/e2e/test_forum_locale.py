"""A forum that speaks German: the bot's decisions never depend on the words of its messages."""

from __future__ import annotations

from bot.sandbox.harness.stack import GROUP, start_stack
from tests.faults.helpers import approve, assert_alice_onboarded_once, rows_by_kind


async def test_a_retried_group_add_on_a_german_forum_is_delivered_not_failed(db_url: str) -> None:
    """The forum adds Alice to the group but its answer never arrives in time; the retry is
    refused with Discourse's 422 "ist bereits Mitglied dieser Gruppe." The delivery is done (she
    is a member), not a permanent failure, and she is added once."""
    async with start_stack(db_url, discourse={"timeout_seconds": 1}) as stack:
        stack.forum.locale = "de"
        review = await stack.apply()
        stack.forum.hang_next("PUT", "/groups/", seconds=3, after_effect=True)
        await approve(stack, review)
        await stack.settle(timeout=40)
        stack.forum.faults.calm()

        assert_alice_onboarded_once(stack, review["ts"])
        (row,) = (await rows_by_kind(stack))["discourse.add_to_group"]
        assert row.status == "delivered" and row.attempts >= 2 and row.result == {"added": False}
        assert stack.runtime.worker.failed == 0
        assert stack.forum.members_of(GROUP) == {"alice"}
        answers = [c[3] for c in stack.forum.calls_to("PUT", "/groups/")]
        assert answers[-1] == 422  # the retry was refused, in German, and still counts as done
        added = [e for e in stack.forum.events if e[0] == "user_added_to_group"]
        assert len(added) == 1
