"""The program report as a typed outbound message (`ProgramReport`, template "program_report"):
the report's numbers as JSON-ready data (amounts already formatted with their currency), and the
slash command to mention in it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar, Literal

from bot.program.messages import Message

MonthCounts = tuple[tuple[str, int], ...]  # ("YYYY-MM", count), oldest first


@dataclass(frozen=True)
class ReportNumbers:
    """The numbers of the report (`bot.program.reports.report` says how each is counted)."""

    generated_at: datetime
    quarter: str  # "2026-Q4"
    ambassadors_by_status: dict[str, int]
    new_this_quarter: int
    renewals_due_90_days: int
    lapsed: int
    overdue: int
    onboarding_active: int
    onboarding_complete: int
    onboarding_rate: float | None  # 0..1; None with no active ambassadors
    onboarding_median_days: float | None
    new_per_month: MonthCounts
    rsvps_per_month: MonthCounts | None  # None: no events feature
    open_requests: dict[str, int]  # by status
    open_requests_by_kind: dict[str, int]
    groups_by_status: dict[str, int] | None  # None: no user groups feature


@dataclass(frozen=True)
class ProgramReport(ReportNumbers, Message):
    """What the moderator's report DM shows: the numbers, the amounts formatted with their
    currency ("12.50 EUR"), and the slash command. A number of a feature that is not installed is
    None (shown as "not available")."""

    kind: ClassVar[Literal["program_report"]] = "program_report"
    approved_spend: dict[str, str]  # by currency, all time
    approved_spend_quarter: dict[str, str]
    command: str
