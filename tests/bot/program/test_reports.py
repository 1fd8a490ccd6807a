"""The program report as a typed message (`bot.program.reports.messages.ProgramReport`): it
round-trips through the outbox's JSON, a row queued as the old plain dict still decodes, and the
Slack renderer draws what the report says."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from bot.program.messages import decode, encode
from bot.program.reports.messages import ProgramReport
from bot.program.reports.report import Report
from handlers.slack.reports.views import templates

NOW = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


def report(**changes: object) -> Report:
    fields: dict[str, object] = {
        "generated_at": NOW,
        "quarter": "2026-Q4",
        "ambassadors_by_status": {"active": 3, "alumni": 1},
        "new_this_quarter": 2,
        "renewals_due_90_days": 1,
        "lapsed": 1,
        "overdue": 2,
        "onboarding_active": 3,
        "onboarding_complete": 2,
        "onboarding_rate": 2 / 3,
        "onboarding_median_days": 4.5,
        "new_per_month": (("2026-10", 1), ("2026-11", 1)),
        "rsvps_per_month": (("2026-10", 5), ("2026-11", 7)),
        "open_requests": {"pending": 2},
        "open_requests_by_kind": {"hardware": 2},
        "approved_spend": {"EUR": Decimal("12.5")},
        "approved_spend_quarter": {},
        "groups_by_status": {"official": 1},
    }
    fields.update(changes)
    return Report(**fields)  # type: ignore[arg-type]


def test_the_report_message_round_trips_and_old_dict_rows_still_decode() -> None:
    msg = report().as_message("/ambassador")
    assert msg.approved_spend == {"EUR": "12.50 EUR"}
    assert decode(ProgramReport, encode(msg)) == msg
    old_row = {
        **encode(msg),
        "generated_at": NOW.isoformat(),
        "new_per_month": [["2026-10", 1], ["2026-11", 1]],
    }
    assert decode(ProgramReport, old_row) == msg


def test_the_renderer_draws_the_numbers_and_what_is_not_available() -> None:
    render = templates()["program_report"]
    text, blocks = render(encode(report().as_message("/ambassador")))
    assert text.startswith("Program report, 2026-Q4\n")
    assert "*Ambassadors:* 4 — active 3, alumni 1" in text
    assert "*Lapsed:* 1 (2 more past their term end)" in text
    assert "*Onboarding:* 2 of 3 active ambassadors complete (67%), median 4.5 days to complete" in text
    assert "*Meetup RSVPs per month:* 2026-10 5, 2026-11 7 (in all: 12)" in text
    assert "*Open requests:* 2 — waiting for review 2" in text
    assert "Generated 2026-11-20 09:30 UTC." in str(blocks[-1])
    bare = report(
        rsvps_per_month=None, groups_by_status=None, onboarding_rate=None, onboarding_median_days=None
    )
    text, _ = render(encode(bare.as_message("/ambassador")))
    assert "*Meetup RSVPs per month:* not available" in text and "*User groups:* not available" in text
    assert "*Onboarding:* no active ambassadors" in text
