"""The moderators' report: the program's numbers, read from the database.

`build()` returns plain numbers (a `Report`); `send()` also draws the trends as a chart and puts
the report in a direct message to the moderator who asked. Numbers of features that are not
installed (meetup RSVPs, user groups) are None and shown as "not available".

Definitions:
- new this quarter: ambassadors whose first term began in the current calendar quarter (UTC);
- renewals due: active terms ending within the next 90 days;
- lapsed: former ambassadors whose term ran out without renewal (stepping down is not lapsing);
  overdue: active terms already past their end, waiting for the nightly sweep;
- onboarding: over active ambassadors; complete when every step is done; the median counts days
  from the start of the term to the last step;
- meetup RSVPs: "going" answers to meetups, by month of the meetup;
- approved spend: amounts of approved, shipped and reimbursed requests, by currency.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from uuid import uuid4

from bot.program import outbox
from bot.program.money import fmt
from bot.program.permissions import GuardedService, Permission, Subject
from bot.program.reports.charts import TrendChart, report_chart
from bot.program.reports.messages import ProgramReport, ReportNumbers
from bot.program.reports.sending import DmFile, audit_sent, send_file
from bot.program.requests import quarter_start
from storage.enums import AmbassadorStatus
from storage.requests import OPEN_STATUSES

RENEWAL_WINDOW = timedelta(days=90)
MONTHS = 12
GROUP_TABLE = "user_groups"


def month_key(d: datetime) -> str:
    return f"{d.year:04d}-{d.month:02d}"


def last_months(now: datetime, count: int = MONTHS) -> list[str]:
    """`count` month keys ending with the month of `now`, oldest first."""
    year, month = now.year, now.month
    keys: list[str] = []
    for _ in range(count):
        keys.append(f"{year:04d}-{month:02d}")
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return keys[::-1]


@dataclass(frozen=True)
class Report(ReportNumbers):
    """The report's numbers, with the amounts as numbers (by currency)."""

    approved_spend: dict[str, Decimal]  # by currency, all time
    approved_spend_quarter: dict[str, Decimal]

    def as_message(self, command: str) -> ProgramReport:
        """The report as the moderator's DM (amounts formatted with their currency)."""
        return ProgramReport(
            **{f.name: getattr(self, f.name) for f in fields(ReportNumbers)},
            approved_spend={k: fmt(v, k) for k, v in self.approved_spend.items()},
            approved_spend_quarter={k: fmt(v, k) for k, v in self.approved_spend_quarter.items()},
            command=command,
        )


class ReportService(GuardedService):
    async def check(self, actor: str) -> None:
        await self._guard.require(actor, Permission.REPORT, Subject("program"))

    async def build(self, now: datetime | None = None) -> Report:
        now = (now or self._clock.now()).astimezone(UTC)
        q_start = quarter_start(now)
        months = last_months(now)
        first_month = datetime(int(months[0][:4]), int(months[0][5:]), 1, tzinfo=UTC)
        # New ambassadors per month (the last month up to now) and this quarter, counted in SQL.
        bounds = [datetime(int(m[:4]), int(m[5:]), 1, tzinfo=UTC) for m in months]
        ranges: list[tuple[datetime, datetime | None]] = [
            *zip(bounds, [*bounds[1:], None], strict=True),
            (q_start, None),
        ]
        async with self._uow() as uow:
            repo = uow.reports
            by_status = await repo.ambassadors_by_status()
            *per_month, new_quarter = await repo.ambassadors_created(ranges, now)
            renewals = await repo.renewals_due(now, now + RENEWAL_WINDOW)
            lapsed = await repo.lapsed()
            overdue = await repo.overdue(now)
            complete, median_days = await repo.onboarding_of_active()
            request_counts = await repo.request_counts()
            spend = await repo.approved_spend()
            spend_quarter = await repo.approved_spend(q_start)
            rsvp_starts = await repo.meetup_rsvps_since(first_month)
            groups = await repo.count_by(GROUP_TABLE, "status")
        rsvps: tuple[tuple[str, int], ...] | None = None
        if rsvp_starts is not None:
            rsvp_counts = Counter(month_key(d) for d in rsvp_starts)
            # Upcoming meetups' RSVPs too, up to three months ahead.
            ahead = [k for k in sorted(rsvp_counts) if k > months[-1]][:3]
            rsvps = tuple((m, rsvp_counts.get(m, 0)) for m in months + ahead)
        active = by_status.get(AmbassadorStatus.ACTIVE, 0)
        open_by_status: dict[str, int] = {}
        open_by_kind: dict[str, int] = {}
        for kind, status, count in request_counts:
            if status in OPEN_STATUSES:
                open_by_status[status] = open_by_status.get(status, 0) + count
                open_by_kind[kind] = open_by_kind.get(kind, 0) + count
        return Report(
            generated_at=now,
            quarter=f"{q_start.year}-Q{(q_start.month - 1) // 3 + 1}",
            ambassadors_by_status=dict(sorted(by_status.items())),
            new_this_quarter=new_quarter,
            renewals_due_90_days=renewals,
            lapsed=lapsed,
            overdue=overdue,
            onboarding_active=active,
            onboarding_complete=complete,
            onboarding_rate=(complete / active) if active else None,
            onboarding_median_days=None if median_days is None else round(median_days, 1),
            new_per_month=tuple(zip(months, per_month, strict=True)),
            rsvps_per_month=rsvps,
            open_requests=dict(sorted(open_by_status.items())),
            open_requests_by_kind=dict(sorted(open_by_kind.items())),
            approved_spend=dict(sorted(spend.items())),
            approved_spend_quarter=dict(sorted(spend_quarter.items())),
            groups_by_status=None if groups is None else dict(sorted(groups.items())),
        )

    async def send(self, actor: str, draw: Callable[[TrendChart], bytes]) -> Report:
        """The report as a direct message to `actor` (a moderator), with the trends as a chart
        that `draw` turns into a PNG (in a worker thread: drawing is slow)."""
        await self.check(actor)
        report = await self.build()
        chart = report_chart(report)
        png = None if chart is None else await asyncio.to_thread(draw, chart)
        now = self._clock.now()
        unique = uuid4().hex[:8]
        async with self._uow() as uow:
            await outbox.dm(
                uow, f"report:{actor}:{unique}", actor, report.as_message(self._settings.slack.command), now
            )
            if png is not None:
                chart_file = DmFile(
                    f"program-report-{now:%Y%m%d-%H%M}-{unique}.png",
                    f"Program trends, {report.quarter}",
                    png,
                    "Trends over the last 12 months.",
                )
                await send_file(uow, f"report:{actor}:{unique}:chart", actor, chart_file, now)
            await audit_sent(uow, now, actor, "report.sent", ("report", report.quarter))
        self._signal.kick()
        return report
