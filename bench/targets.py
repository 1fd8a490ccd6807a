"""The performance targets, one per row of the suite's table that has one.

A target names the rows it applies to (regular expressions on the row's benchmark and measure
labels), which figure it bounds (the ratio, or the bot's own number where the target is absolute,
such as a p50 in milliseconds or an RSS in MB) and the bound. The suite adds a ``target`` column
("≤ 1.05") and a ``met`` flag to every row a target matches; ``python -m bench`` prints how many
targets the run met. Nothing here fails a run: a benchmark is a measurement, not a test.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

_OPS: dict[str, Callable[[float, float], bool]] = {"<=": operator.le, ">=": operator.ge}
_SIGNS = {"<=": "≤", ">=": "≥"}


@dataclass(frozen=True)
class Target:
    benchmark: str  # regex searched in the row's benchmark label
    measure: str  # regex searched in the row's measure label
    op: str  # "<=" or ">="
    bound: float
    on: str = "ratio"  # "ratio" or "bot" (the bot's own figure, for absolute targets)
    unit: str = ""  # shown after the bound for absolute targets ("ms", "MB")

    def matches(self, row: dict[str, Any]) -> bool:
        return bool(
            re.search(self.benchmark, str(row.get("benchmark", "")))
            and re.search(self.measure, str(row.get("measure", "")))
        )

    def label(self) -> str:
        if self.on == "ratio":
            return f"{_SIGNS[self.op]} {self.bound:g}×"
        return f"bot {_SIGNS[self.op]} {self.bound:g} {self.unit}".strip()

    def met(self, row: dict[str, Any]) -> bool | None:
        value = row.get(self.on)
        if value is None:
            return None
        return _OPS[self.op](float(value), self.bound)


# The targets of issue 18 ("At the platforms' limits"), in the table's order.
TARGETS: tuple[Target, ...] = (
    Target(r"^ack /ambassador find", r"^ack p(50|99) ms", "<=", 1.1),
    Target(r"^webhook intake", r"deliveries/s", ">=", 0.5),
    Target(r"^webhook intake", r"^p99 ms", "<=", 3.0),
    Target(r"^mixed traffic", r"^throughput", ">=", 0.5),
    Target(r"^mixed traffic", r"^p99 ms", "<=", 3.0),
    Target(r"^mixed traffic", r"RSS MB after start", "<=", 100.0, on="bot", unit="MB"),
    Target(r"^mixed traffic", r"^bot RSS MB: end vs start", "<=", 1.03),  # growth over the run
    Target(r"^reminder fan-out", r"^in-process s vs ideal", "<=", 1.05),
    Target(r"replicas", r"^combined DMs/s vs allowed", "<=", 1.0),
    Target(r"replicas", r"^combined DMs/s vs allowed", ">=", 0.9),
    Target(r"^badge grants", r"^paced \(bot\)", "<=", 1.05),
    Target(r"^db scale", r"^sweep p50 ms vs pk read", "<=", 50.0, on="bot", unit="ms"),
    Target(r"^db scale", r"^sweep p50 ms vs \S+ smaller db", "<=", 3.0),
    Target(r"^db scale", r"^report p50 ms vs pk read", "<=", 100.0, on="bot", unit="ms"),
    # issue 19: "a page for 2 000 ambassadors renders in under 50 ms"
    Target(r"^public pages", r"^(page|cold render) p50", "<=", 50.0, on="bot", unit="ms"),
)


def apply(rows: Iterable[dict[str, Any]], targets: Iterable[Target] = TARGETS) -> tuple[int, int]:
    """Mark each row with its targets (``target``: the bounds in words, ``met``: all of them met,
    None when a figure is missing); returns (met, with a target)."""
    targets = tuple(targets)
    met = total = 0
    for row in rows:
        mine = [t for t in targets if t.matches(row)]
        if not mine:
            row.pop("target", None)
            row.pop("met", None)
            continue
        verdicts = [t.met(row) for t in mine]
        row["target"] = ", ".join(t.label() for t in mine)
        row["met"] = None if None in verdicts else all(verdicts)
        total += 1
        met += row["met"] is True
    return met, total
