"""Terms are calendar periods: two years from 1 December end on 1 December, not 730 days later."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.sandbox.harness.stack import ALICE, MOD, MOD_CHANNEL, FakeClock, Stack, form_values, start_stack
from storage.models import Ambassador

START = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)  # 2028 is a leap year: 730 days end on 30 November


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
async def terms_stack(db_url: str, clock: FakeClock) -> AsyncIterator[Stack]:
    async with start_stack(db_url, clock=clock, renewals={"auto_approve": True}) as s:
        yield s


async def _term_end(stack: Stack) -> datetime:
    async with stack.runtime.uow() as uow:
        end = (await uow.session.execute(select(Ambassador.term_end))).scalar_one()
    return end.replace(tzinfo=UTC) if end.tzinfo is None else end


async def test_a_two_year_term_ends_on_the_same_date_and_renewal_adds_two_calendar_years(
    terms_stack: Stack, clock: FakeClock
) -> None:
    stack = terms_stack
    review = await stack.apply()
    await stack.actor.click(MOD, MOD_CHANNEL, review["ts"], "application_approve")
    await stack.settle()

    assert await _term_end(stack) == datetime(2028, 12, 1, 10, 0, tzinfo=UTC)
    assert (await stack.actor.slash(ALICE, "apply")).status_code == 200
    assert "your term runs until 2028-12-01" in json.dumps((await stack.wait_for_view(ALICE))["blocks"])

    # A month before the end the renewal reminder comes; the renewal runs two years from the end.
    clock.set(datetime(2028, 11, 1, 10, 0, tzinfo=UTC))
    await stack.runtime.services.reminders.sweep()
    await stack.settle()
    reminder = next(m for m in stack.slack.dms_to(ALICE) if "renewal_start" in str(m.get("blocks")))
    await stack.actor.click(ALICE, reminder["channel"], reminder["ts"], "renewal_start")
    view = await stack.wait_for_view(ALICE)
    resp = await stack.actor.submit_view(
        ALICE, view["id"], form_values({"reaffirm": "yes", "plans": "More meetups in Lisbon."})
    )
    assert resp.status_code == 200, resp.text
    await stack.settle()
    assert await _term_end(stack) == datetime(2030, 12, 1, 10, 0, tzinfo=UTC)
