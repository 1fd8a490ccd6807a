"""The report's trends as a chart to draw: new ambassadors per month, and meetup RSVPs per month
when the events feature is installed. Only the data: `bot.render.charts` draws it (the program
layer imports no plotting library)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.program.reports.report import Report


@dataclass(frozen=True)
class ChartPanel:
    """One bar chart: a title, (month "YYYY-MM", count) per bar, and the bars' colour."""

    title: str
    series: tuple[tuple[str, int], ...]
    color: str


@dataclass(frozen=True)
class TrendChart:
    title: str
    panels: tuple[ChartPanel, ...]


def report_chart(report: Report) -> TrendChart | None:
    """The trends of the report, or None when there is no trend worth a picture (nothing in the
    last year)."""
    panels = [ChartPanel("New ambassadors per month", report.new_per_month, "#2e7d32")]
    if report.rsvps_per_month is not None:
        panels.append(ChartPanel("Meetup RSVPs (going) per month", report.rsvps_per_month, "#1565c0"))
    if not any(count for panel in panels for _, count in panel.series):
        return None
    return TrendChart(f"Ambassador program — {report.quarter}", tuple(panels))
