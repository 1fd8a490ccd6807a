"""/metrics tells what this process did: reminders it sent (a counter, not a database count that
every replica repeats) and each platform's 429s, every one counted once, wherever it was met."""

from __future__ import annotations

from datetime import timedelta

import httpx

from bot.sandbox.harness.stack import ALICE, MOD, MOD_CHANNEL, FakeClock, Stack, start_stack
from tests.e2e.test_events import APRIL_MEETUP, MEETUP


async def _metrics(stack: Stack, name: str) -> dict[str, float]:
    """The samples of one metric family, by their label text."""
    async with httpx.AsyncClient() as http:
        text = (await http.get(f"{stack.bot_url}/metrics")).text
    out = {}
    for line in text.splitlines():
        if line.startswith(name + "{") or line.startswith(name + " "):
            labels, value = line.rsplit(" ", 1)
            out[labels.removeprefix(name)] = float(value)
    return out


async def test_reminders_sent_count_what_this_process_sent_not_what_the_database_holds(db_url: str) -> None:
    clock = FakeClock(APRIL_MEETUP - timedelta(minutes=59))
    async with start_stack(db_url, clock=clock, events=[MEETUP]) as stack:
        assert await _metrics(stack, "ambassador_reminders_total") == {}
        result = await stack.runtime.services.reminders.sweep()
        await stack.settle()
        # The 1-hour reminder and the weekly digest; the 7-day and 1-day reminders are past.
        assert len(result.sent) == 2 and len(result.skipped) == 2
        assert await _metrics(stack, "ambassador_reminders_total") == {
            '{kind="digest",status="sent"}': 1.0,
            '{kind="event",status="sent"}': 1.0,
            '{kind="event",status="skipped"}': 2.0,
        }
    # The next process on the same database (a restart, or another replica) has sent nothing.
    async with start_stack(db_url, clock=clock, events=[MEETUP]) as stack:
        assert (await stack.runtime.services.reminders.sweep()).sent == []
        assert await _metrics(stack, "ambassador_reminders_total") == {}
        # What the database holds is a gauge, the same on every replica.
        assert await _metrics(stack, "ambassador_reminder_rows") == {
            '{status="sent"}': 2.0,
            '{status="skipped"}': 2.0,
        }


async def test_every_429_is_counted_once_under_its_platform(db_url: str) -> None:
    async with start_stack(db_url) as stack:
        review = await stack.apply(ALICE)
        # A 429 met by a listener (opening a modal), one met by a delivery, and one forum 429.
        stack.slack.fail_next("views.open", status=429, retry_after=1)
        await stack.actor.slash(ALICE, "profile")
        await stack.listeners_done()
        stack.slack.fail_next("chat.postMessage", status=429, retry_after=1)
        stack.forum.fail_next("POST", "/user_badges", status=429, retry_after=1)
        await stack.actor.click(MOD, MOD_CHANNEL, review["ts"], "application_approve")
        await stack.settle(timeout=30)
        assert stack.forum.badges_of("alice") == ["Ambassador"]

        limited = await _metrics(stack, "ambassador_platform_rate_limited_total")
        assert stack.slack.rate_limited == 2 and stack.forum.rate_limited == 1
        assert limited == {'{platform="slack"}': 2.0, '{platform="discourse"}': 1.0}
