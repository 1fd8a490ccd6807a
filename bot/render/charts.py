"""Draws the program's charts (`bot.program.reports.charts.TrendChart`) as PNG files.

Drawn with matplotlib's object API (no pyplot global state), so it is safe to run in a worker
thread. matplotlib loads slowly, so it is imported on the first drawing, not at start-up.
"""

from __future__ import annotations

import io

from bot.program.reports.charts import TrendChart

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _label(month: str) -> str:
    name = _MONTHS[int(month[5:]) - 1]
    return f"{name}\n{month[2:4]}" if month.endswith("-01") else name


def chart_png(chart: TrendChart) -> bytes:
    """The chart as PNG bytes: one bar panel per series, side by side."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(5.2 * len(chart.panels), 3.6), dpi=110, layout="constrained")
    axes = fig.subplots(1, len(chart.panels), squeeze=False)[0]
    for ax, panel in zip(axes, chart.panels, strict=True):
        labels = [_label(m) for m, _ in panel.series]
        values = [c for _, c in panel.series]
        bars = ax.bar(range(len(values)), values, color=panel.color)
        ax.bar_label(bars, labels=[str(v) if v else "" for v in values], fontsize=7)
        ax.set_xticks(range(len(values)), labels, fontsize=7)
        ax.set_title(panel.title, fontsize=10)
        ax.yaxis.get_major_locator().set_params(integer=True)
        ax.spines[["top", "right"]].set_visible(False)
    fig.suptitle(chart.title, fontsize=11)
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()
