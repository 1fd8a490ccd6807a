"""The event form's host is picked from the workspace's people (issue 13, item 9): a
``users_select``, so only a Slack user can be the host."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from bot.sandbox.harness.stack import BOB, MOD, Stack
from storage.events import EventSeries

FORM = {
    "key": "apac-hours",
    "title": "APAC office hours",
    "kind": "office_hours",
    "rrule": "FREQ=WEEKLY;BYDAY=WE",
    "start": "2026-04-01 09:00",
    "timezone": "Asia/Tokyo",
    "duration_minutes": "60",
}


def values(**answers: Any) -> dict[str, dict[str, Any]]:
    return {k: {k: v} for k, v in {**FORM, **answers}.items()}


async def test_the_host_is_a_slack_user_picked_from_the_list(stack: Stack) -> None:
    await stack.actor.slash(MOD, "event add")
    view = await stack.wait_for_view(MOD)
    [host] = [b for b in view["blocks"] if b.get("block_id") == "host"]
    assert host["element"]["type"] == "users_select"
    # Slack's user picker offers only the workspace's members: free text cannot be sent.
    with pytest.raises(ValueError, match="not a member of the workspace"):
        await stack.actor.submit_view(MOD, view["id"], values(host="frank"))
    forged = await stack.actor.submit_view(MOD, view["id"], values(host="frank"), forged=True)
    assert forged.json() == {"response_action": "errors", "errors": {"host": "Pick a person from the list."}}
    resp = await stack.actor.submit_view(MOD, view["id"], values(host=BOB))
    assert resp.status_code == 200 and "errors" not in resp.text
    async with stack.runtime.uow() as uow:
        series = (
            await uow.session.execute(select(EventSeries).where(EventSeries.key == "apac-hours"))
        ).scalar_one()
    assert series.host_slack_id == BOB
