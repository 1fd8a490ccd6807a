"""When Slack refuses a call a listener makes after acknowledging (a 429 on `views.open`), the
person is told to try again instead of seeing nothing at all."""

from __future__ import annotations

from bot.sandbox.harness.stack import ALICE, start_stack
from tests.e2e.lifecycle import all_text


async def test_a_modal_slack_refused_to_open_gets_a_try_again_answer(db_url: str) -> None:
    async with start_stack(db_url) as stack:
        stack.slack.fail_next("views.open", status=429, retry_after=1)
        resp = await stack.actor.slash(ALICE, "profile")
        await stack.listeners_done()
        assert resp.status_code == 200
        assert stack.slack.last_view_for(ALICE) is None  # no form opened
        told = [e for e in stack.slack.ephemerals if e["user"] == ALICE]
        assert len(told) == 1, told
        assert "try again" in all_text(told[0]).lower()
