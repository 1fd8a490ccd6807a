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
