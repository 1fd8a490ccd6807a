"""The events' renderers draw the typed messages as the dict renderers did."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.program.events.messages import EventReminder
from bot.program.messages import encode
from handlers.slack.blocks import render

AT = datetime(2026, 3, 5, 17, 0, tzinfo=UTC)


def test_event_reminder_and_booking_confirmed() -> None:
    reminder = EventReminder(
        1, "M", AT, "20260305T1700Z", "UTC", link="https://x", host="U1", counts={"going": 3}
    )
    text, blocks = render(reminder.kind, encode(reminder))
    assert text.startswith("Reminder: *M* starts <!date^")
    assert [b["type"] for b in blocks] == ["section", "context", "actions", "context"]
    assert blocks[-1]["elements"][0]["text"] == "Going: 3 · Maybe: 0 · Not going: 0"
    # A row queued as a plain dict before the messages were typed draws the same.
    booked = {"title": "O", "start": AT.isoformat(), "minutes": 20, "person": "U2", "booking_id": 7}
    text, blocks = render("booking_confirmed", booked)
    assert text.startswith("You booked a 20-minute slot at *O* on")
    assert [b["type"] for b in blocks] == ["section", "actions"]


def test_a_booking_reminder_names_the_other_side_and_old_rows_name_both() -> None:
    row = {"title": "O", "start": AT.isoformat(), "person": "U2", "host": "U1", "timezone": "Europe/Berlin"}
    to_booker, _ = render("booking_reminder", {**row, "to": "U2"})
    to_host, _ = render("booking_reminder", {**row, "to": "U1"})
    assert "slot with <@U1>" in to_booker and "<@U2>" not in to_booker
    assert "slot with <@U2>" in to_host and "<@U1>" not in to_host
    assert "|Thu 05 Mar 2026 18:00> (Europe/Berlin)" in to_host  # 17:00 UTC is 18:00 in Berlin
    # A row queued before the copies were addressed cannot tell who reads it: it names both.
    before, _ = render("booking_reminder", row)
    assert "slot between <@U2> and <@U1>" in before
