"""Time you can trust (issue 14): cancel and skip on 23- and 25-hour days, EXDATE at a skipped wall
time, UTC UNTIL, a broken series that stops nothing else, no reminder after the start even on the
retry after a crash, calendar-day offsets, and spring-forward gaps handled the same everywhere."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import icalendar
import pytest
import recurring_ical_events
from sqlalchemy import select

from bot.runtime import build_runtime
from bot.sandbox.harness.stack import ALICE, AMB_CHANNEL, MOD, MOD_CHANNEL, FakeClock, Stack, start_stack
from storage.events import EventSeries
from storage.models import Ambassador, OutboxMessage


def _series(key: str, rrule: str, start: str, timezone: str, **extra: Any) -> dict[str, Any]:
    return {
        "key": key,
        "title": f"Series {key}",
        "rrule": rrule,
        "start": start,
        "timezone": timezone,
    } | extra


def _epochs(text: str) -> list[int]:
    return [int(x) for x in re.findall(r"<!date\^(\d+)\^", text)]


async def _slash(stack: Stack, text: str) -> str:
    return str((await stack.actor.slash(MOD, text)).json()["text"])


async def _feed(stack: Stack) -> bytes:
    async with httpx.AsyncClient() as http:
        resp = await http.get(f"{stack.bot_url}/calendar.ics")
    assert resp.status_code == 200
    return resp.content


DST_DAYS = [
    _series("ny-sun", "FREQ=WEEKLY;BYDAY=SU", "2027-01-03T23:30", "America/New_York"),
    _series("london-sun", "FREQ=WEEKLY;BYDAY=SU", "2027-01-03T23:30", "Europe/London"),
    _series("ny-mon", "FREQ=WEEKLY;BYDAY=MO", "2027-01-04T00:30", "America/New_York"),
    _series("ny-gap", "FREQ=WEEKLY;BYDAY=SU", "2027-01-03T02:30", "America/New_York"),
    _series("sydney-gap", "FREQ=WEEKLY;BYDAY=SU", "2027-01-03T02:30", "Australia/Sydney"),
]


@pytest.fixture
async def dst_stack(db_url: str) -> AsyncIterator[tuple[Stack, FakeClock]]:
    clock = FakeClock(datetime(2027, 1, 10, 12, 0, tzinfo=UTC))
    async with start_stack(db_url, clock=clock, events=DST_DAYS) as stack:
        yield stack, clock


async def test_cancel_and_skip_by_date_on_days_of_25_and_23_hours(dst_stack: tuple[Stack, FakeClock]) -> None:
    stack, _clock = dst_stack
    # 25-hour days: the 23:30 occurrence is still on that Sunday.
    answer = await _slash(stack, "event cancel ny-sun 2027-11-07")
    assert "is cancelled" in answer and _epochs(answer) == [
        int(datetime(2027, 11, 8, 4, 30, tzinfo=UTC).timestamp())
    ]
    answer = await _slash(stack, "event cancel london-sun 2027-10-31")
    assert "is cancelled" in answer
    assert _epochs(answer) == [int(datetime(2027, 10, 31, 23, 30, tzinfo=UTC).timestamp())]
    # A 23-hour day: Monday's 00:30 is not on Sunday, so nothing is skipped...
    answer = await _slash(stack, "event skip ny-mon 2027-03-14")
    assert "has no occurrence on Sunday 14 March 2027" in answer
    # ...and Monday's occurrence is still there to skip.
    answer = await _slash(stack, "event skip ny-mon 2027-03-15")
    assert "is skipped" in answer
    assert _epochs(answer) == [int(datetime(2027, 3, 15, 4, 30, tzinfo=UTC).timestamp())]


async def test_exdate_of_an_occurrence_in_the_gap_names_the_rules_wall_time(
    dst_stack: tuple[Stack, FakeClock],
) -> None:
    stack, _clock = dst_stack
    assert "is cancelled" in await _slash(stack, "event cancel ny-gap 2027-03-14")
    assert "is cancelled" in await _slash(stack, "event cancel sydney-gap 2027-10-03")
    feed = await _feed(stack)
    assert b"EXDATE;TZID=America/New_York:20270314T023000" in feed
    assert b"EXDATE;TZID=Australia/Sydney:20271003T023000" in feed
    cal = icalendar.Calendar.from_ical(feed)
    shown = {
        (str(e["UID"]), e.decoded("DTSTART").astimezone(UTC))
        for e in recurring_ical_events.of(cal).between(datetime(2027, 3, 1), datetime(2027, 10, 10))
    }
    assert not {s for s in shown if s[1] == datetime(2027, 3, 14, 7, 30, tzinfo=UTC)}
    assert not {s for s in shown if s[1] == datetime(2027, 10, 2, 16, 30, tzinfo=UTC)}
    assert ("series-ny-gap@ambassador-bot", datetime(2027, 3, 21, 6, 30, tzinfo=UTC)) in shown


async def test_a_nonexistent_local_time_is_the_same_instant_in_reminders_events_and_feed(
    dst_stack: tuple[Stack, FakeClock],
) -> None:
    """02:30 on 2027-03-14 does not exist in New York: the occurrence is at 03:30 EDT (07:30 UTC)
    everywhere, as RFC 5545 §3.3.5 reads such a time."""
    stack, clock = dst_stack
    instant = datetime(2027, 3, 14, 7, 30, tzinfo=UTC)
    clock.set(datetime(2027, 3, 14, 4, 0, tzinfo=UTC))
    listing = str((await stack.actor.slash(ALICE, "events")).json()["text"])
    line = next(x for x in listing.splitlines() if "`ny-gap`" in x)
    # Alice reads in London (07:30 GMT), beside the series' own zone.
    assert _epochs(line) == [int(instant.timestamp())] and "07:30> (America/New_York)" in line
    clock.set(instant - timedelta(minutes=59))  # the "1h" reminder is exact: 06:30 UTC
    sent = [k for k in (await stack.runtime.services.reminders.sweep()).sent if ":60:" in k]
    assert len(sent) == 1 and "20270314T0730Z" in sent[0]
    await stack.settle()
    post = next(m for m in stack.slack.messages_in(AMB_CHANNEL) if "Series ny-gap" in m["text"])
    assert _epochs(post["text"]) == [int(instant.timestamp())]
    assert "|Sun 14 Mar 2027 03:30> (America/New_York)" in post["text"]  # a channel: the series' zone
    feed = await _feed(stack)
    cal = icalendar.Calendar.from_ical(feed)
    starts = [
        e.decoded("DTSTART").astimezone(UTC)
        for e in recurring_ical_events.of(cal).between(datetime(2027, 3, 13), datetime(2027, 3, 15))
        if str(e["UID"]).startswith("series-ny-gap@")
    ]
    assert starts == [instant]
    assert b"RECURRENCE-ID;TZID=America/New_York:20270314T023000" in feed  # pinned for every parser


async def test_until_in_utc_is_accepted_by_the_form_and_a_floating_one_is_explained(
    dst_stack: tuple[Stack, FakeClock],
) -> None:
    stack, _clock = dst_stack
    await stack.actor.slash(MOD, "event add")
    view = await stack.wait_for_view(MOD)
    values = {
        "key": "fridays",
        "title": "First Fridays",
        "kind": "meetup",
        "rrule": "FREQ=MONTHLY;UNTIL=20271224T000000;BYDAY=1FR",
        "start": "2027-02-05 17:00",
        "timezone": "Europe/London",
        "duration_minutes": "60",
    }
    resp = await stack.actor.submit_view(MOD, view["id"], {k: {k: v} for k, v in values.items()})
    assert "write it in UTC with a Z, like UNTIL=20271224T000000Z" in resp.json()["errors"]["rrule"]
    async with stack.runtime.uow() as uow:
        assert await uow.calendar.series_by_key("fridays") is None  # nothing was stored
    values["rrule"] = "FREQ=MONTHLY;UNTIL=20271224T000000Z;BYDAY=1FR"
    resp = await stack.actor.submit_view(MOD, view["id"], {k: {k: v} for k, v in values.items()})
    assert resp.status_code == 200
    async with stack.runtime.uow() as uow:
        saved = await uow.calendar.series_by_key("fridays")
    assert saved is not None and saved.rrule == "FREQ=MONTHLY;UNTIL=20271224T000000Z;BYDAY=1FR"
    feed = await _feed(stack)
    assert b"RRULE:FREQ=MONTHLY;UNTIL=20271224T000000Z;BYDAY=1FR" in feed


async def test_a_series_with_utc_until_in_config_starts_and_stops_on_time(db_url: str) -> None:
    clock = FakeClock(datetime(2027, 1, 1, tzinfo=UTC))
    rule = "FREQ=MONTHLY;UNTIL=20271224T000000Z;BYDAY=1FR"
    async with start_stack(
        db_url, clock=clock, events=[_series("fri", rule, "2027-01-01T17:00", "Europe/London")]
    ) as stack:
        clock.set(datetime(2027, 11, 30, tzinfo=UTC))
        upcoming = await stack.runtime.services.events.upcoming(days=400)
        assert [o.start for o in upcoming] == [datetime(2027, 12, 3, 17, 0, tzinfo=UTC)]


async def test_a_series_that_cannot_be_expanded_is_reported_once_and_stops_nothing_else(db_url: str) -> None:
    clock = FakeClock(datetime(2026, 3, 20, 10, 0, tzinfo=UTC))
    daily = _series("daily", "FREQ=DAILY", "2026-01-01T17:30", "Asia/Kolkata", reminders=["1h"])  # 12:00 UTC
    async with start_stack(db_url, clock=clock, events=[daily]) as stack:
        review = await stack.apply()
        await stack.actor.click(MOD, MOD_CHANNEL, review["ts"], "application_approve")
        await stack.settle()
        async with stack.runtime.uow() as uow:
            term_end = (await uow.session.execute(select(Ambassador))).scalar_one().term_end
            # Written before UNTIL was checked as it is now (sorted first, so old sweeps broke early).
            uow.session.add(
                EventSeries(
                    key="aa-broken",
                    title="Broken fridays",
                    rrule="FREQ=MONTHLY;UNTIL=20271224T000000;BYDAY=1FR",
                    start_local="2026-01-02T17:00",
                    timezone="Europe/London",
                    duration_minutes=60,
                    link="",
                    slack_channel=AMB_CHANNEL,
                    reminder_offsets=[60],
                    status="active",
                    source="slack",
                    created_at=clock.now(),
                    updated_at=clock.now(),
                )
            )
        clock.set((term_end - timedelta(days=30)).replace(hour=11, minute=1))
        first = await stack.runtime.services.reminders.sweep()
        again = await stack.runtime.services.reminders.sweep()
        assert [k.split(":")[-1] for k in first.sent if k.startswith("renewal:")] == ["30"]
        assert len([k for k in first.sent if k.startswith("event:")]) == 1  # the daily one
        assert again.sent == []
        await stack.settle()
        assert any("Renew" in str(m["blocks"]) for m in stack.slack.dms_to(ALICE))
        listing = str((await stack.actor.slash(ALICE, "events")).json()["text"])
        assert "Series daily" in listing and "Broken" not in listing
        feed = await _feed(stack)
        assert b"series-daily@" in feed and b"aa-broken" not in feed
        clock.set((term_end + timedelta(days=15)).replace(hour=11, minute=1))
        await stack.runtime.services.reminders.sweep()
        await stack.settle()
        async with stack.runtime.uow() as uow:
            assert (await uow.session.execute(select(Ambassador))).scalar_one().status == "alumni"
        notices = [
            m["text"] for m in stack.slack.messages_in(MOD_CHANNEL) if "cannot be expanded" in m["text"]
        ]
        assert len(notices) == 1
        assert "aa-broken" in notices[0] and "UNTIL=20271224T000000Z" in notices[0]
        assert any("without renewal" in m["text"] for m in stack.slack.messages_in(MOD_CHANNEL))


async def test_no_reminder_once_the_event_started_also_on_the_retry_after_a_crash(db_url: str) -> None:
    start = datetime(2026, 3, 26, 18, 0, tzinfo=UTC)  # 18:00 GMT
    clock = FakeClock(start - timedelta(minutes=1) + timedelta(seconds=5))
    soon = _series("soon", "FREQ=WEEKLY;BYDAY=TH", "2026-03-26T18:00", "Europe/London", reminders=["1m"])
    async with start_stack(db_url, clock=clock, events=[soon]) as stack:
        task = next(t for t in stack.runtime.tasks if t.get_name() == "outbox-worker")
        stack.runtime.worker.stop()  # this process will die mid-delivery: its worker does nothing
        await asyncio.wait_for(task, 5)
        sent = [k for k in (await stack.runtime.services.reminders.sweep()).sent if k.startswith("event:")]
        assert len(sent) == 1
        reminder = select(OutboxMessage).where(OutboxMessage.key == sent[0])
        async with stack.runtime.uow() as uow:
            row = (await uow.session.execute(reminder)).scalar_one()
            # What a worker does right before its post; then the process is killed.
            assert await uow.outbox.claim(row.id, "killed-worker", clock.now(), timedelta(seconds=60))
        clock.set(start + timedelta(minutes=2))  # the restarted bot finds the lease expired
        restarted = await build_runtime(stack.settings, clock=clock, auto_migrate=False)
        try:
            await restarted.worker.drain_once()
        finally:
            await restarted.close()
        assert stack.slack.messages_in(AMB_CHANNEL) == []
        async with stack.runtime.uow() as uow:
            row = (await uow.session.execute(reminder)).scalar_one()
        assert row.status == "expired"


async def test_day_reminders_keep_the_local_time_when_the_clocks_change(db_url: str) -> None:
    """18:00 on the Sunday London moves to summer time (2027-03-28, 17:00 UTC): "7d" and "1d" are
    18:00 local a week and a day before (18:00 UTC), "1h" is 16:00 UTC."""
    clock = FakeClock(datetime(2027, 3, 1, tzinfo=UTC))
    meetup = _series("sunday", "FREQ=WEEKLY;BYDAY=SU", "2027-01-03T18:00", "Europe/London")
    async with start_stack(db_url, clock=clock, events=[meetup]) as stack:
        for at, offsets in (
            (datetime(2027, 3, 21, 17, 1, tzinfo=UTC), []),
            (datetime(2027, 3, 21, 18, 1, tzinfo=UTC), ["10080"]),
            (datetime(2027, 3, 27, 17, 1, tzinfo=UTC), []),
            (datetime(2027, 3, 27, 18, 1, tzinfo=UTC), ["1440"]),
            (datetime(2027, 3, 28, 16, 1, tzinfo=UTC), ["60"]),
        ):
            clock.set(at)
            sent = (await stack.runtime.services.reminders.sweep()).sent
            assert [k.split(":")[3] for k in sent if "20270328T1700Z" in k] == offsets, at
