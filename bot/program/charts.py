"""The report's trends as a PNG: new ambassadors per month, and meetup RSVPs per month when the
events feature is installed. Drawn with matplotlib's object API (no pyplot global state), so it
is safe to run in a worker thread."""

from __future__ import annotations

import io

from matplotlib.figure import Figure

from bot.program.reports import Report


def _label(month: str) -> str:
    names = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
    return (
        f"{names[int(month[5:]) - 1]}\n{month[2:4]}" if month.endswith("-01") else names[int(month[5:]) - 1]
    )


def report_chart(report: Report) -> bytes | None:
    """PNG bytes, or None when there is no trend worth a picture (nothing in the last year)."""
    panels: list[tuple[str, tuple[tuple[str, int], ...], str]] = [
        ("New ambassadors per month", report.new_per_month, "#2e7d32")
    ]
    if report.rsvps_per_month is not None:
        panels.append(("Meetup RSVPs (going) per month", report.rsvps_per_month, "#1565c0"))
    if not any(count for _, series, _ in panels for _, count in series):
        return None
    fig = Figure(figsize=(5.2 * len(panels), 3.6), dpi=110, layout="constrained")
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    for ax, (title, series, color) in zip(axes, panels, strict=True):
        labels = [_label(m) for m, _ in series]
        values = [c for _, c in series]
        bars = ax.bar(range(len(values)), values, color=color)
        ax.bar_label(bars, labels=[str(v) if v else "" for v in values], fontsize=7)
        ax.set_xticks(range(len(values)), labels, fontsize=7)
        ax.set_title(title, fontsize=10)
        ax.yaxis.get_major_locator().set_params(integer=True)
        ax.spines[["top", "right"]].set_visible(False)
    fig.suptitle(f"Ambassador program — {report.quarter}", fontsize=11)
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()
