"""What a person sees of events (issue 17): each side of a booked slot is reminded of the other
one, every time is shown in the reader's zone with the event's zone beside it, and the event form
answers in plain sentences; the Home tab lists the next events with the viewer's RSVP."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.sandbox.harness.stack import ALICE, BOB, MOD, FakeClock, Stack, start_stack
from tests.e2e.lifecycle import all_text
from tests.e2e.test_app_home import open_home
from tests.e2e.test_events import MEETUP, OFFICE
from tests.handlers.slack.events.test_event_host_picker import values

KENJI = "U0KENJI"  # a reader in Tokyo


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 3, 20, 12, 0, tzinfo=UTC))


@pytest.fixture
async def events_stack(db_url: str, clock: FakeClock) -> AsyncIterator[Stack]:
    async with start_stack(db_url, clock=clock, events=[MEETUP, OFFICE]) as s:
        s.slack.add_user(KENJI, "kenji", tz="Asia/Tokyo")
        yield s


def _fallbacks(text: str) -> list[str]:
    """What a reader sees of each ``<!date^…|fallback>`` token, with what follows it."""
    return re.findall(r"<!date\^\d+\^\{date_short_pretty\} \{time\}\|([^>]*)> (\([^)]*\))", text)


async def test_a_booking_reminder_names_the_other_side(events_stack: Stack, clock: FakeClock) -> None:
    stack = events_stack
    events = stack.runtime.services.events
    slot = (await events.free_slots())[0]
    await events.book(ALICE, slot.series_id, slot.start)
    clock.set(slot.start - timedelta(minutes=59))  # the booking reminder is 1 h before
    await stack.runtime.services.reminders.sweep()
    await stack.settle()
    [to_alice] = [m["text"] for m in stack.slack.dms_to(ALICE) if m["text"].startswith("⏰")]
    [to_host] = [m["text"] for m in stack.slack.dms_to(MOD) if m["text"].startswith("⏰")]
    assert f"slot with <@{MOD}>" in to_alice and f"<@{ALICE}>" not in to_alice
    assert f"slot with <@{ALICE}>" in to_host and f"<@{MOD}>" not in to_host
    # 22:00 UTC on Tuesday 24 March is 15:00 in Los Angeles, the series' zone.
    assert _fallbacks(to_alice) == [("Tue 24 Mar 2026 15:00", "(America/Los_Angeles)")]


async def test_events_and_office_hours_show_the_readers_time_and_the_events_zone(
    events_stack: Stack,
) -> None:
    stack = events_stack
    listing = (await stack.actor.slash(KENJI, "events")).json()["text"]
    assert "times shown in your own timezone" in listing
    shown = _fallbacks(listing)
    # The meetup at 17:00 in London on 2 April is 01:00 on the 3rd in Tokyo.
    assert ("Fri 03 Apr 2026 01:00", "(Europe/London)") in shown
    # Office hours at 15:00 in Los Angeles on 24 March are 07:00 on the 25th in Tokyo.
    assert shown[0] == ("Wed 25 Mar 2026 07:00", "(America/Los_Angeles)")
    slots = (await stack.actor.slash(KENJI, "office-hours")).json()
    assert "your own timezone" in slots["text"]
    first = _fallbacks(str(slots["blocks"][1]["text"]["text"]))
    assert first == [("Wed 25 Mar 2026 07:00", "(America/Los_Angeles)")]
    assert "UTC" not in str(slots["blocks"])
    # A reader in London sees London's wall time for the same slot.
    london = (await stack.actor.slash(ALICE, "office-hours")).json()
    assert _fallbacks(str(london["blocks"][1]["text"]["text"])) == [
        ("Tue 24 Mar 2026 22:00", "(America/Los_Angeles)")
    ]


async def test_the_event_form_names_the_allowed_kinds_and_checks_the_host(events_stack: Stack) -> None:
    stack = events_stack
    await stack.actor.slash(MOD, "event add")
    view = await stack.wait_for_view(MOD)
    bad_kind = (await stack.actor.submit_view(MOD, view["id"], values(kind="workshop"))).json()
    assert bad_kind["errors"] == {"kind": "The kind is meetup or office_hours."}
    # A well-formed user id that is nobody in the workspace (a forged submission).
    ghost = await stack.actor.submit_view(MOD, view["id"], values(host="U0GHOST"), forged=True)
    assert ghost.json() == {"response_action": "errors", "errors": {"host": "U0GHOST is not a Slack user."}}
    # Slack failing to answer is not "unknown": the form says it could not check, and saves nothing.
    outage = stack.slack.storm(500, seconds=600, methods=["users.info"])
    down = (await stack.actor.submit_view(MOD, view["id"], values(host=KENJI))).json()
    assert down["errors"] == {
        "host": "Slack could not confirm this person just now; try saving again in a minute."
    }
    stack.slack.faults.storms.remove(outage)
    saved = await stack.actor.submit_view(MOD, view["id"], values(host=KENJI))
    assert saved.status_code == 200 and "errors" not in saved.text
    assert "APAC office hours" in (await stack.actor.slash(ALICE, "events")).json()["text"]


def _meetup_block(home: dict[str, Any]) -> tuple[str, dict[str, Any] | None]:
    """The meetup's line on the Home tab and the RSVP buttons under it (None: it has none)."""
    blocks = home["blocks"]
    at = next(i for i, b in enumerate(blocks) if "Monthly ambassador meetup" in str(b.get("text", "")))
    after = blocks[at + 1] if at + 1 < len(blocks) else {}
    return str(blocks[at]["text"]["text"]), after if after.get("type") == "actions" else None


async def test_the_home_tab_lists_the_next_events_with_the_viewers_rsvp(events_stack: Stack) -> None:
    stack = events_stack
    home = await open_home(stack, ALICE)
    text = all_text(home)
    assert "No upcoming events yet" not in text and "Upcoming events" in text
    assert "Advocates' office hours" in text
    line, actions = _meetup_block(home)
    assert "(Europe/London)" in line and "Not answered yet." in line and actions is not None
    assert [b["action_id"] for b in actions["elements"]] == [
        "event_rsvp_going",
        "event_rsvp_maybe",
        "event_rsvp_no",
    ]
    # Answer from the tab: it is recorded (the counts the channel sees) and the tab shows it.
    value = actions["elements"][1]["value"]
    await stack.actor.click(ALICE, action_id="event_rsvp_maybe", value=value, view_id=home["id"])
    await stack.listeners_done()
    home = stack.slack.home_tabs[ALICE]
    line, actions = _meetup_block(home)
    assert "Your answer: *Maybe*" in line and actions is not None
    assert [b.get("style") for b in actions["elements"]] == [None, "primary", None]
    series_id, occ = value.split("|")
    counts = await stack.runtime.services.events.rsvp_counts(
        int(series_id), datetime.strptime(occ, "%Y%m%dT%H%MZ").replace(tzinfo=UTC)
    )
    assert counts == {"maybe": 1}
    # Bob has not answered: his tab says so.
    assert "Not answered yet." in _meetup_block(await open_home(stack, BOB))[0]
    # A cancelled occurrence stays on the tab, marked, with nothing to answer.
    stack.slack.add_user(MOD, "carol", tz="Asia/Tokyo")  # the moderator reads in Tokyo
    cancelled = (await stack.actor.slash(MOD, "event cancel meetup 2026-04-02")).json()["text"]
    assert "is cancelled" in cancelled
    assert _fallbacks(cancelled) == [("Fri 03 Apr 2026 01:00", "(Europe/London)")]
    line, actions = _meetup_block(await open_home(stack, ALICE))
    assert "❌ cancelled" in line and actions is None


async def test_events_still_answer_when_slack_cannot_say_the_readers_zone(events_stack: Stack) -> None:
    stack = events_stack
    stack.slack.storm(500, seconds=600, methods=["users.info"])
    resp = await stack.actor.slash(KENJI, "events")
    assert resp.status_code == 200
    # The fallback is then the event's own wall time, beside its zone.
    assert ("Thu 02 Apr 2026 17:00", "(Europe/London)") in _fallbacks(resp.json()["text"])
