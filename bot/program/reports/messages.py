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
class ProgramReport(Message):
    """What the moderator's report DM shows. A number of a feature that is not installed is None
    (shown as "not available")."""

    kind: ClassVar[Literal["program_report"]] = "program_report"
    generated_at: datetime
    quarter: str  # "2026-Q4"
    ambassadors_by_status: dict[str, int]
    new_this_quarter: int
    renewals_due_90_days: int
    lapsed: int
    overdue: int
    onboarding_active: int
    onboarding_complete: int
    onboarding_rate: float | None
    onboarding_median_days: float | None
    new_per_month: MonthCounts
    rsvps_per_month: MonthCounts | None
    open_requests: dict[str, int]
    open_requests_by_kind: dict[str, int]
    approved_spend: dict[str, str]  # by currency, formatted ("EUR 12.50")
    approved_spend_quarter: dict[str, str]
    groups_by_status: dict[str, int] | None
    command: str
