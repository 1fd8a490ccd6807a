"""The program report as a Slack message: the renderer of the typed `ProgramReport`
(`bot.program.reports.messages`, outbox template "program_report", named by `templates()`)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC
from typing import Any

from bot.program.reports.messages import MonthCounts, ProgramReport
from handlers.slack import text as kit
from handlers.slack.blocks import Block, MessageRenderer, context, section, typed

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


def _rsvps(rsvps: MonthCounts | None) -> str:
    if rsvps is None:
        return NOT_AVAILABLE
    recent = [f"{m} {c}" for m, c in rsvps[-6:]]
    return ", ".join(recent) + f" (in all: {sum(c for _, c in rsvps)})"


def _report(r: ProgramReport) -> tuple[str, list[Block]]:
    onboarding = (
        f"{r.onboarding_complete} of {r.onboarding_active} active ambassadors complete "
        f"({round(r.onboarding_rate * 100)}%)"
        if r.onboarding_rate is not None
        else "no active ambassadors"
    )
    if r.onboarding_median_days is not None:
        onboarding += f", median {r.onboarding_median_days} days to complete"
    by_status, open_requests = r.ambassadors_by_status, r.open_requests
    lines = [
        f"*Ambassadors:* {sum(by_status.values())} — {_counts(by_status)}",
        f"*New this quarter:* {r.new_this_quarter}",
        f"*Renewals due in 90 days:* {r.renewals_due_90_days}",
        f"*Lapsed:* {r.lapsed}" + (f" ({r.overdue} more past their term end)" if r.overdue else ""),
        f"*Onboarding:* {onboarding}",
        f"*Meetup RSVPs per month:* {_rsvps(r.rsvps_per_month)}",
        f"*Open requests:* {sum(open_requests.values())} — {_counts(open_requests, STATUS_NAMES)}",
        f"*Approved spend:* {_spend(r.approved_spend)} (this quarter: {_spend(r.approved_spend_quarter)})",
        f"*User groups:* {_counts(r.groups_by_status)}",
    ]
    title = f"Program report, {r.quarter}"
    out: list[Block] = [
        kit.header(title),
        section("\n".join(lines)),
        context(f"Generated {r.generated_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC. The chart follows."),
    ]
    return title + "\n" + "\n".join(lines), out


def templates() -> dict[str, MessageRenderer]:
    """The outbox message templates built here: template name -> renderer."""
    return {
        "program_report": typed(ProgramReport, _report),
    }
