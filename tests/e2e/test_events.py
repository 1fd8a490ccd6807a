"""Meetups, office hours, reminders and renewals with a clock the tests control."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import icalendar
import pytest
from dateutil.rrule import rrulestr
from sqlalchemy import select, update

from bot.program.events.series import occurrences
from bot.runtime import build_runtime
from bot.sandbox.harness.stack import ALICE, AMB_CHANNEL, BOB, MOD, MOD_CHANNEL, FakeClock, Stack, start_stack
from storage.events import EventSeries, Reminder
from storage.models import Ambassador, AuditEntry

MEETUP = {
    "key": "meetup",
    "title": "Monthly ambassador meetup",
    "rrule": "FREQ=MONTHLY;BYDAY=1TH",
    "start": "2026-01-01T17:00",
    "timezone": "Europe/London",
    "duration_minutes": 60,
    "link": "https://meet.example.org/ambassadors",
    "host": MOD,
    "reminders": ["7d", "1d", "1h"],
}
OFFICE = {
    "key": "office-hours",
    "title": "Advocates' office hours",
    "kind": "office_hours",
    "rrule": "FREQ=WEEKLY;BYDAY=TU,TH",
    "start": "2026-01-06T15:00",
    "timezone": "America/Los_Angeles",
    "duration_minutes": 60,
    "slot_minutes": 20,
    "host": MOD,
    "reminders": [],
}
APRIL_MEETUP = datetime(2026, 4, 2, 16, 0, tzinfo=UTC)  # 17:00 BST: after the clocks went forward


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 3, 20, 12, 0, tzinfo=UTC))


@pytest.fixture
async def events_stack(db_url: str, clock: FakeClock) -> AsyncIterator[Stack]:
    async with start_stack(db_url, clock=clock, events=[MEETUP, OFFICE]) as s:
        yield s


def _events_only(keys: list[str]) -> list[str]:
    return [k for k in keys if k.startswith("event:")]


def _epochs(text: str) -> list[int]:
    return [int(x) for x in re.findall(r"<!date\^(\d+)\^", text)]


async def _reminders(stack: Stack) -> list[tuple[str, str]]:
    async with stack.runtime.uow() as uow:
        return [(r.key, r.status) for r in (await uow.session.execute(select(Reminder))).scalars()]


def test_occurrences_keep_local_time_across_daylight_saving() -> None:
    s = EventSeries(rrule="FREQ=MONTHLY;BYDAY=1TH", start_local="2026-01-01T17:00", timezone="Europe/London")
    got = occurrences(s, datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 5, 1, tzinfo=UTC))
    assert got == [datetime(2026, 3, 5, 17, tzinfo=UTC), APRIL_MEETUP]
    la = EventSeries(
        rrule="FREQ=WEEKLY;BYDAY=TU,TH", start_local="2026-01-06T15:00", timezone="America/Los_Angeles"
    )
    around = occurrences(la, datetime(2026, 3, 5, tzinfo=UTC), datetime(2026, 3, 11, tzinfo=UTC))
    assert [d.hour for d in around] == [23, 22]  # 15:00 PST, then 15:00 PDT after 8 March


async def test_reminders_go_out_once_at_each_offset_in_the_right_timezone(
    events_stack: Stack, clock: FakeClock
) -> None:
    stack = events_stack
    # "7d" is 17:00 local a week before: 17:00 GMT on 26 March, before the clocks went forward on
    # the 29th (calendar days, RFC 5545 §3.3.6), not 7 × 24 h (16:00 GMT); "1h" is exact.
    clock.set(APRIL_MEETUP - timedelta(days=7) + timedelta(minutes=1))
    assert _events_only((await stack.runtime.services.reminders.sweep()).sent) == []
    for at, expected in (
        (datetime(2026, 3, 26, 17, 0, tzinfo=UTC), 1),
        (APRIL_MEETUP - timedelta(days=1), 2),
        (APRIL_MEETUP - timedelta(hours=1), 3),
    ):
        clock.set(at + timedelta(minutes=1))
        first = await stack.runtime.services.reminders.sweep()
        again = await stack.runtime.services.reminders.sweep()  # a second wake-up sends nothing
        assert again.sent == [] and len(first.sent) >= 1
        await stack.settle()
        posts = stack.slack.messages_in(AMB_CHANNEL)
        assert len(posts) == expected
    for post in posts:
        assert "Monthly ambassador meetup" in post["text"]
        assert _epochs(post["text"]) == [int(APRIL_MEETUP.timestamp())]  # 16:00 UTC = 17:00 BST
        assert "|Thu 02 Apr 2026 17:00> (Europe/London)" in post["text"]


async def test_rsvp_buttons_update_the_counts(events_stack: Stack, clock: FakeClock) -> None:
    stack = events_stack
    clock.set(APRIL_MEETUP - timedelta(minutes=59))
    await stack.runtime.services.reminders.sweep()
    await stack.settle()
    post = stack.slack.messages_in(AMB_CHANNEL)[-1]
    await stack.actor.click(ALICE, AMB_CHANNEL, post["ts"], "event_rsvp_going")
    await stack.actor.click(BOB, AMB_CHANNEL, post["ts"], "event_rsvp_going")
    await stack.settle()
    shown = stack.slack.find_message(AMB_CHANNEL, post["ts"])
    assert shown is not None and "Going: 2 · Maybe: 0 · Not going: 0" in str(shown["blocks"])
    await stack.actor.click(BOB, AMB_CHANNEL, post["ts"], "event_rsvp_maybe")  # changing one's mind
    await stack.settle()
    shown = stack.slack.find_message(AMB_CHANNEL, post["ts"])
    assert shown is not None and "Going: 1 · Maybe: 1 · Not going: 0" in str(shown["blocks"])


async def test_skipped_and_cancelled_occurrences_get_no_reminders(
    events_stack: Stack, clock: FakeClock
) -> None:
    stack = events_stack
    refused = (await stack.actor.slash(BOB, "event cancel meetup 2026-04-02")).json()["text"]
    assert "Only moderators" in refused
    answer = (await stack.actor.slash(MOD, "event cancel meetup 2026-04-02 Easter break")).json()["text"]
    assert "is cancelled" in answer
    assert (
        "no occurrence on Friday"
        in (await stack.actor.slash(MOD, "event skip meetup 2026-04-03")).json()["text"]
    )
    assert "is skipped" in (await stack.actor.slash(MOD, "event skip meetup 2026-05-07")).json()["text"]
    await stack.settle()
    notices = [m["text"] for m in stack.slack.messages_in(AMB_CHANNEL)]
    assert len(notices) == 1 and "is cancelled. Easter break" in notices[0]
    for at in (APRIL_MEETUP - timedelta(hours=1), datetime(2026, 5, 7, 15, 30, tzinfo=UTC)):
        clock.set(at)
        assert _events_only((await stack.runtime.services.reminders.sweep()).sent) == []
    await stack.settle()
    assert len(stack.slack.messages_in(AMB_CHANNEL)) == 1
    listing = (await stack.actor.slash(ALICE, "events")).json()["text"]
    assert "cancelled" not in listing or "meetup" in listing


async def test_an_edited_series_is_not_reminded_twice(events_stack: Stack, clock: FakeClock) -> None:
    stack = events_stack
    clock.set(APRIL_MEETUP - timedelta(days=1) + timedelta(minutes=1))
    await stack.runtime.services.reminders.sweep()
    fields = await stack.runtime.services.events.series_fields("meetup")
    fields["title"] = "Monthly ambassador meetup (new room)"
    await stack.runtime.services.events.save_series(MOD, fields, key="meetup")  # same time: same occurrences
    assert (await stack.runtime.services.reminders.sweep()).sent == []
    fields["start"] = "2026-01-01T18:00"  # moved an hour later: a new occurrence, its own reminders
    await stack.runtime.services.events.save_series(MOD, fields, key="meetup")
    clock.set(APRIL_MEETUP + timedelta(minutes=1))  # 1 h before the new 18:00 BST start
    result = await stack.runtime.services.reminders.sweep()
    assert [k.split(":")[3] for k in result.sent] == ["60"]
    await stack.settle()
    texts = [m["text"] for m in stack.slack.messages_in(AMB_CHANNEL)]
    assert len(texts) == 2 and "(new room)" in texts[-1]  # the 1 d one, then the new 1 h one
    assert _epochs(texts[-1]) == [int((APRIL_MEETUP + timedelta(hours=1)).timestamp())]


async def test_bot_down_across_due_times_sends_only_what_is_still_worth_sending(
    events_stack: Stack, clock: FakeClock
) -> None:
    stack = events_stack
    clock.set(APRIL_MEETUP - timedelta(minutes=30))  # the 7 d, 1 d and 1 h reminders all fell due while down
    result = await stack.runtime.services.reminders.sweep()
    await stack.settle()
    sent = _events_only(result.sent)
    assert len(sent) == 1 and sent[0].endswith(f":60:{AMB_CHANNEL}")
    assert sorted(k.split(":")[3] for k in result.skipped if k.startswith("event:")) == ["10080", "1440"]
    statuses = dict(await _reminders(stack))
    assert sorted(statuses.values()).count("skipped") >= 2
    assert len(stack.slack.messages_in(AMB_CHANNEL)) == 1
    clock.set(APRIL_MEETUP + timedelta(minutes=5))  # after the start: nothing more for this one
    assert [k for k in (await stack.runtime.services.reminders.sweep()).sent if "20260402" in k] == []


async def test_two_bot_processes_send_each_reminder_once(events_stack: Stack, clock: FakeClock) -> None:
    stack = events_stack
    clock.set(APRIL_MEETUP - timedelta(minutes=50))
    other = await build_runtime(stack.settings, clock=clock, auto_migrate=False)
    try:
        results = await asyncio.gather(
            *(rt.services.reminders.sweep() for rt in (stack.runtime, other, stack.runtime, other))
        )
        await other.worker.drain_once()
    finally:
        await other.close()
    await stack.settle()
    assert sum(len(_events_only(r.sent)) for r in results) == 1
    assert len(stack.slack.messages_in(AMB_CHANNEL)) == 1


async def test_office_hours_booking_is_exclusive_under_concurrent_clicks(
    events_stack: Stack, clock: FakeClock
) -> None:
    stack = events_stack
    listing = await stack.actor.slash(ALICE, "office-hours")
    assert listing.status_code == 200
    body = listing.json()
    first_slot = next(b for b in body["blocks"] if b.get("accessory"))
    value = first_slot["accessory"]["value"]
    # Five people press Book on the same slot at the same moment.
    people = ["U0P1", "U0P2", "U0P3", "U0P4", "U0P5"]
    for p in people:
        stack.slack.add_user(p, p.lower())
    msg_ts = stack.slack.add_user_message(AMB_CHANNEL, MOD, "slots")
    message = stack.slack.find_message(AMB_CHANNEL, msg_ts)
    assert message is not None
    message["blocks"] = body["blocks"]
    await asyncio.gather(
        *(stack.actor.click(p, AMB_CHANNEL, msg_ts, "office_hours_book", value=value) for p in people)
    )
    await stack.settle()
    answers = [r.get("text", "") for r in stack.slack.responses]
    assert sum(a.startswith("Booked:") for a in answers) == 1
    assert sum("someone booked that slot" in a for a in answers) == 4
    winner = next(p for p in people if stack.slack.dms_to(p))
    assert "You booked a 20-minute slot" in stack.slack.dms_to(winner)[0]["text"]
    assert any(f"<@{winner}> booked" in m["text"] for m in stack.slack.dms_to(MOD))
    # The slot is no longer offered; cancelling frees it again.
    assert value not in str((await stack.actor.slash(ALICE, "office-hours")).json()["blocks"])
    booking = (await stack.runtime.services.events.my_bookings(winner))[0]
    await stack.runtime.services.events.cancel_booking(winner, booking.booking_id)
    assert value in str((await stack.actor.slash(ALICE, "office-hours")).json()["blocks"])


async def test_calendar_feed_parses_and_matches_the_bots_occurrences(
    events_stack: Stack, clock: FakeClock
) -> None:
    stack = events_stack
    await stack.actor.slash(MOD, "event cancel meetup 2026-04-02")
    async with httpx.AsyncClient() as http:
        resp = await http.get(f"{stack.bot_url}/calendar.ics")
        assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/calendar")
        cal = icalendar.Calendar.from_ical(resp.content)
        bad = await http.get(f"{stack.bot_url}/calendar/not-a-token.ics")
        assert bad.status_code == 404
    assert {str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")} == {"Europe/London", "America/Los_Angeles"}
    window = (datetime(2026, 3, 20, tzinfo=UTC), datetime(2026, 7, 1, tzinfo=UTC))
    async with stack.runtime.uow() as uow:
        series = {s.key: s for s in await uow.calendar.active_series()}
        overrides = {k: await uow.calendar.overrides(s.id) for k, s in series.items()}
    for ev in cal.walk("VEVENT"):
        key = str(ev["UID"]).split("@")[0].removeprefix("series-")
        start = ev.decoded("DTSTART")
        rule = rrulestr(ev["RRULE"].to_ical().decode(), dtstart=start)
        exdates = set()
        for ex in ev.get("EXDATE", []) if isinstance(ev.get("EXDATE"), list) else [ev.get("EXDATE")]:
            if ex is not None:
                exdates.update(d.dt.astimezone(UTC) for d in ex.dts)
        from_feed = [
            d.astimezone(UTC) for d in rule.between(*window, inc=True) if d.astimezone(UTC) not in exdates
        ]
        from_bot = [o for o in occurrences(series[key], *window) if o not in overrides[key]]
        assert from_feed == from_bot and from_bot
    link = (await stack.actor.slash(ALICE, "calendar")).json()["text"]
    token_url = re.search(r"(http://\S+/calendar/\S+\.ics)", link)
    assert token_url is not None
    async with httpx.AsyncClient() as http:
        personal = await http.get(token_url.group(1).replace(stack.settings.server.public_url, stack.bot_url))
    assert personal.status_code == 200 and b"BEGIN:VCALENDAR" in personal.content


async def _approved_alice(stack: Stack) -> None:
    review = await stack.apply()
    await stack.actor.click(MOD, MOD_CHANNEL, review["ts"], "application_approve")
    await stack.settle()


async def test_renewal_reminder_form_and_approval_extend_the_term(
    events_stack: Stack, clock: FakeClock
) -> None:
    stack = events_stack
    await _approved_alice(stack)
    async with stack.runtime.uow() as uow:
        amb = (await uow.session.execute(select(Ambassador))).scalar_one()
        term_end = amb.term_end
    clock.set(term_end - timedelta(days=30) + timedelta(minutes=5))
    result = await stack.runtime.services.reminders.sweep()
    assert [k.split(":")[-1] for k in result.sent if k.startswith("renewal:")] == ["30"]  # 60 d was long ago
    await stack.settle()
    dm = next(m for m in stack.slack.dms_to(ALICE) if "Renew" in str(m["blocks"]))
    await stack.actor.click(ALICE, dm["channel"], dm["ts"], "renewal_start")
    view = await stack.wait_for_view(ALICE)
    bad = await stack.actor.submit_view(
        ALICE, view["id"], {"reaffirm": {"reaffirm": "no"}, "plans": {"plans": "x"}}
    )
    assert "reaffirm" in bad.json()["errors"]
    await stack.actor.submit_view(
        ALICE, view["id"], {"reaffirm": {"reaffirm": "yes"}, "plans": {"plans": "More meetups in Lisbon."}}
    )
    await stack.settle()
    review = stack.review_messages()[-1]
    assert "#2" in review["text"]
    await stack.actor.click(MOD, MOD_CHANNEL, review["ts"], "application_approve")
    await stack.settle()
    async with stack.runtime.uow() as uow:
        amb = (await uow.session.execute(select(Ambassador))).scalar_one()
    assert amb.term_end == term_end.replace(year=term_end.year + 2) and amb.status == "active"
    assert "renewed" in stack.slack.dms_to(ALICE)[-1]["text"]
    # While renewing, and after, no more renewal reminders for the old end date.
    clock.set(term_end - timedelta(days=7) + timedelta(minutes=5))
    assert [
        k for k in (await stack.runtime.services.reminders.sweep()).sent if k.startswith("renewal:")
    ] == []


async def test_a_lapsed_term_removes_badge_and_group_and_tells_moderators(
    events_stack: Stack, clock: FakeClock
) -> None:
    stack = events_stack
    await _approved_alice(stack)
    assert stack.forum.badges_of("alice") == ["Ambassador"]
    async with stack.runtime.uow() as uow:
        amb = (await uow.session.execute(select(Ambassador))).scalar_one()
    clock.set(amb.term_end + timedelta(days=15))  # past the 14-day grace
    await stack.runtime.services.reminders.sweep()
    await stack.runtime.services.reminders.sweep()
    await stack.settle()
    async with stack.runtime.uow() as uow:
        amb = (await uow.session.execute(select(Ambassador))).scalar_one()
        lapsed = [
            a
            for a in (await uow.session.execute(select(AuditEntry))).scalars()
            if a.action == "ambassador.lapsed"
        ]
    assert amb.status == "alumni" and len(lapsed) == 1
    assert stack.forum.badges_of("alice") == [] and "alice" not in stack.forum.members_of("ambassadors")
    told = [m["text"] for m in stack.slack.messages_in(MOD_CHANNEL) if "without renewal" in m["text"]]
    assert len(told) == 1


async def test_onboarding_nudge_and_weekly_digest_once(events_stack: Stack, clock: FakeClock) -> None:
    stack = events_stack
    await _approved_alice(stack)
    clock.advance(days=8)
    await stack.runtime.services.reminders.sweep()
    await stack.runtime.services.reminders.sweep()
    await stack.settle()
    nudges = [m for m in stack.slack.dms_to(ALICE) if "gentle reminder" in m["text"]]
    assert len(nudges) == 1 and "Post your introduction" in nudges[0]["text"]
    digests = [m for m in stack.slack.messages_in(MOD_CHANNEL) if m["text"].startswith("Weekly digest")]
    assert len(digests) == 1 and "Unfinished onboarding after 7 days: 1" in digests[0]["text"]


async def test_event_form_validates_and_saves(events_stack: Stack) -> None:
    stack = events_stack
    assert "Only moderators" in (await stack.actor.slash(BOB, "event add")).json()["text"]
    await stack.actor.slash(MOD, "event add")
    view = await stack.wait_for_view(MOD)
    values: dict[str, Any] = {
        "key": "APAC hours",
        "title": "APAC office hours",
        "kind": "office_hours",
        "rrule": "FREQ=SOMETIMES",
        "start": "2026-04-01 09:00",
        "timezone": "Asia/Tokyo",
        "duration_minutes": "60",
    }
    resp = await stack.actor.submit_view(MOD, view["id"], {k: {k: v} for k, v in values.items()})
    errors = resp.json()["errors"]
    assert set(errors) >= {"key", "rrule"}
    values.update({"key": "apac-hours", "rrule": "FREQ=WEEKLY;BYDAY=WE", "slot_minutes": "30"})
    resp = await stack.actor.submit_view(MOD, view["id"], {k: {k: v} for k, v in values.items()})
    assert resp.status_code == 200
    listing = (await stack.actor.slash(ALICE, "events")).json()["text"]
    assert "APAC office hours" in listing


async def test_reminders_are_skipped_for_series_without_channel(db_url: str) -> None:
    clock = FakeClock(APRIL_MEETUP - timedelta(minutes=30))
    no_channel = dict(MEETUP, key="quiet")
    async with start_stack(
        db_url, clock=clock, events=[no_channel], slack={"ambassador_channel": ""}
    ) as stack:
        async with stack.runtime.uow() as uow:
            await uow.session.execute(update(EventSeries).values(slack_channel=None))
        assert _events_only((await stack.runtime.services.reminders.sweep()).sent) == []


async def test_replicas_starting_together_share_the_config_series(
    events_stack: Stack, clock: FakeClock
) -> None:
    """Two processes that start at the same moment both write the config's series: neither fails
    to start, and each series exists once."""
    stack = events_stack
    async with stack.runtime.uow() as uow:
        await uow.session.execute(EventSeries.__table__.delete())
    others = [await build_runtime(stack.settings, clock=clock, auto_migrate=False) for _ in range(3)]
    try:
        counts = await asyncio.gather(*(rt.services.events.sync_config() for rt in (stack.runtime, *others)))
    finally:
        for rt in others:
            await rt.close()
    assert counts == [2, 2, 2, 2]
    async with stack.runtime.uow() as uow:
        keys = sorted(s.key for s in (await uow.session.execute(select(EventSeries))).scalars())
    assert keys == sorted([MEETUP["key"], OFFICE["key"]])
