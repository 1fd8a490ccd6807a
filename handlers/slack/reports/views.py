"""The program report as a Slack message (outbox template "program_report", named by
`templates()`). The data is `bot.program.reports.report.Report.as_data()`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from handlers.slack import text as kit
from handlers.slack.blocks import Block, MessageRenderer, context, section

NOT_AVAILABLE = "not available"
STATUS_NAMES = {"info_requested": "waiting for information", "pending": "waiting for review"}


def _counts(d: Mapping[str, Any] | None, names: Mapping[str, str] | None = None) -> str:
    if d is None:
        return NOT_AVAILABLE
    if not d:
        return "none"
    return ", ".join(f"{(names or {}).get(k, k)} {v}" for k, v in d.items())


def _spend(d: Mapping[str, Any]) -> str:
    return ", ".join(str(v) for v in d.values()) if d else "none"


def _report(d: Mapping[str, Any]) -> tuple[str, list[Block]]:
    by_status: Mapping[str, int] = d.get("ambassadors_by_status") or {}
    rate = d.get("onboarding_rate")
    median = d.get("onboarding_median_days")
    onboarding = (
        f"{d['onboarding_complete']} of {d['onboarding_active']} active ambassadors complete "
        f"({round(float(rate) * 100)}%)"
        if rate is not None
        else "no active ambassadors"
    )
    onboarding += f", median {median} days to complete" if median is not None else ""
    open_requests: Mapping[str, int] = d.get("open_requests") or {}
    rsvps = d.get("rsvps_per_month")
    if rsvps is None:
        rsvp_text = NOT_AVAILABLE
    else:
        recent = [f"{m} {c}" for m, c in rsvps[-6:]]
        rsvp_text = ", ".join(recent) + f" (in all: {sum(c for _, c in rsvps)})"
    lines = [
        f"*Ambassadors:* {sum(by_status.values())} — {_counts(by_status)}",
        f"*New this quarter:* {d['new_this_quarter']}",
        f"*Renewals due in 90 days:* {d['renewals_due_90_days']}",
        f"*Lapsed:* {d['lapsed']}"
        + (f" ({d['overdue']} more past their term end)" if d.get("overdue") else ""),
        f"*Onboarding:* {onboarding}",
        f"*Meetup RSVPs per month:* {rsvp_text}",
        f"*Open requests:* {sum(open_requests.values())} — {_counts(open_requests, STATUS_NAMES)}",
        f"*Approved spend:* {_spend(d.get('approved_spend') or {})} "
        f"(this quarter: {_spend(d.get('approved_spend_quarter') or {})})",
        f"*User groups:* {_counts(d.get('groups_by_status'))}",
    ]
    title = f"Program report, {d['quarter']}"
    out: list[Block] = [
        kit.header(title),
        section("\n".join(lines)),
        context(f"Generated {str(d.get('generated_at', ''))[:16].replace('T', ' ')} UTC. The chart follows."),
    ]
    return title + "\n" + "\n".join(lines), out


def templates() -> dict[str, MessageRenderer]:
    """The outbox message templates built here: template name -> renderer."""
    return {
        "program_report": _report,
    }
