"""The terms' renderers draw the typed messages as the dict renderers did."""

from __future__ import annotations

from datetime import UTC, datetime

from handlers.slack.blocks import render

AT = datetime(2026, 3, 5, 17, 0, tzinfo=UTC)


def test_renewal_reminder_offers_the_renew_button() -> None:
    data = {"name": "A", "term_end": AT.isoformat(), "days": 30, "program": "P"}
    text, blocks = render("renewal_reminder", data)
    assert text.startswith("Your term as an ambassador of P ends on 2026-03-05 (in 30 days).")
    assert blocks[1]["elements"][0]["action_id"] == "renewal_start"


def test_renewed_and_stepped_down_and_nudge() -> None:
    assert (
        "until 2026-03-05" in render("renewed", {"name": "A", "term_end": AT.isoformat(), "program": "P"})[0]
    )
    text, blocks = render(
        "stepped_down", {"user": "U1", "name": "A", "term_start": AT.isoformat(), "forum_username": "a"}
    )
    assert text == "<@U1> (A) stepped down as an ambassador (since 2026-03-05)."
    assert len(blocks) == 2
    text, _ = render("onboarding_nudge", {"name": "A", "steps": [{"title": "Say hi", "key": "intro"}]})
    assert text.endswith("still open:\n⬜ Say hi")
