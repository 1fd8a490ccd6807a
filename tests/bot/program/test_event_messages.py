"""The typed messages of events and terms: each round-trips through the outbox's JSON, and a row
queued before (plain dict data, ISO strings) decodes into the same message."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.program.events import messages as ev
from bot.program.messages import Message, decode, encode
from bot.program.terms.messages import NudgeStep, OnboardingNudge, RenewalReminder, Renewed, SteppedDown

AT = datetime(2026, 3, 5, 17, 0, tzinfo=UTC)

MESSAGES: list[Message] = [
    ev.EventReminder(1, "Meetup", AT, "20260305T1700Z", "Europe/London", 60, "https://x", "U1", {"going": 2}),
    ev.EventCancelled("Meetup", AT, "Europe/London", "snow"),
    ev.BookingConfirmed("Office hours", AT, "U2", "UTC", "https://x", "U1", minutes=20, booking_id=7),
    ev.BookingForHost("Office hours", AT, "U2", minutes=20, booking_id=7),
    ev.BookingCancelled("Office hours", AT, "U2", "UTC"),
    ev.BookingReminder("Office hours", AT, "U2", "UTC", "https://x", "U1", 20),
    RenewalReminder("Alice", AT, 30, "P"),
    Renewed(AT, "Alice", "P"),
    SteppedDown("U1", "Alice", AT, "alice"),
    OnboardingNudge("Alice", (NudgeStep("Say hello", "intro"), NudgeStep("Read", "guidelines"))),
]


@pytest.mark.parametrize("message", MESSAGES, ids=lambda m: m.kind)
def test_a_message_round_trips(message: Message) -> None:
    assert decode(type(message), encode(message)) == message


def test_rows_queued_as_dicts_before_decode() -> None:
    old = {
        "series_id": 1,
        "title": "Meetup",
        "start": AT.isoformat(),
        "timezone": "UTC",
        "minutes": 60,
        "link": "",
        "host": None,
        "occurrence": "20260305T1700Z",
        "counts": {},
        "kind": "meetup",
    }
    assert decode(ev.EventReminder, old) == ev.EventReminder(1, "Meetup", AT, "20260305T1700Z", "UTC", 60)
    renewed = {"name": "Alice", "term_end": AT.isoformat(), "program": "P"}  # as applications.py queues it
    assert decode(Renewed, renewed) == Renewed(AT, "Alice", "P")
    nudge = {"name": "A", "steps": [{"title": "Say hello", "key": "intro"}]}
    assert decode(OnboardingNudge, nudge).steps == (NudgeStep("Say hello", "intro"),)
