"""Compare two suite results files, row by row: ``python -m bench.compare OLD.json [NEW.json]``.

NEW defaults to ``bench/results/latest.json``; ``python -m bench --compare OLD.json`` prints the
same after its own run. Rows are matched on (benchmark, measure). The ratio is compared (it is the
figure that holds between runs; for a row without a ratio, the bot's figure), with the direction that
is better for that measure: higher for throughput rows, lower for everything else.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

DEFAULT_NEW = Path(__file__).resolve().parent / "results" / "latest.json"
_HIGHER_IS_BETTER = ("deliveries/s", "throughput", "DMs/s")
# A change smaller than this (relative) is shown as "same": run-to-run noise on a shared machine.
NOISE = 0.05


def higher_is_better(measure: str) -> bool:
    return any(word in measure for word in _HIGHER_IS_BETTER)


def _figure(row: dict[str, Any]) -> float | None:
    value = row.get("ratio")
    if value is None:
        value = row.get("bot")
    return None if value is None else float(value)


def _verdict(measure: str, old: float, new: float) -> str:
    if old == new:
        return "same"
    if old == 0:
        change = float("inf")
    else:
        change = (new - old) / abs(old)
    if abs(change) < NOISE:
        return "same"
    better = change > 0 if higher_is_better(measure) else change < 0
    return "better" if better else "worse"


def compare(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    """One entry per row of either file: old and new figure, relative change, verdict."""
    old_rows = {(r["benchmark"], r["measure"]): r for r in old.get("rows", [])}
    out: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for row in new.get("rows", []):
        key = (row["benchmark"], row["measure"])
        seen.add(key)
        before = old_rows.get(key)
        a = _figure(before) if before is not None else None
        b = _figure(row)
        if a is None or b is None:
            verdict = "new" if before is None else "n/a"
            change = None
        else:
            change = None if a == 0 else (b - a) / abs(a)
            verdict = _verdict(row["measure"], a, b)
        out.append(
            {"benchmark": key[0], "measure": key[1], "old": a, "new": b, "change": change, "verdict": verdict}
        )
    for key, before in old_rows.items():
        if key not in seen:
            out.append(
                {
                    "benchmark": key[0],
                    "measure": key[1],
                    "old": _figure(before),
                    "new": None,
                    "change": None,
                    "verdict": "gone",
                }
            )
    return out


def _num(value: float | None) -> str:
    if value is None:
        return "—"
    if abs(value) >= 100:
        return f"{value:.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def format_comparison(entries: list[dict[str, Any]], old_label: str, new_label: str) -> str:
    header = ("benchmark", "measure", "old", "new", "change", "")
    cells = [
        (
            e["benchmark"],
            e["measure"],
            _num(e["old"]),
            _num(e["new"]),
            "" if e["change"] is None else f"{e['change'] * 100:+.0f} %",
            e["verdict"],
        )
        for e in entries
    ]
    widths = [max(len(h), *(len(c[i]) for c in cells)) if cells else len(h) for i, h in enumerate(header)]
    lines = [f"change from {old_label} to {new_label} (ratios; for rows without one, the bot's figure)"]
    for values in (header, *cells):
        lines.append(
            "  ".join(
                v.ljust(w) if i < 2 or i == 5 else v.rjust(w)
                for i, (v, w) in enumerate(zip(values, widths, strict=True))
            ).rstrip()
        )
    counts = {v: sum(e["verdict"] == v for e in entries) for v in ("better", "worse", "same", "new", "gone")}
    lines.append(", ".join(f"{n} {v}" for v, n in counts.items() if n))
    return "\n".join(lines)


def load(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SystemExit(f"no results file at {path}") from None
    except json.JSONDecodeError as err:
        raise SystemExit(
            f"{path} is not a results file (invalid JSON: {err.msg}, line {err.lineno})"
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("rows"), list):
        raise SystemExit(f"{path} is not a results file of `python -m bench` (it has no rows)")
    return data


def label(path: Path, data: dict[str, Any]) -> str:
    return f"{path.name} ({data.get('date', 'undated')})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.compare", description=__doc__.split("\n")[0])
    parser.add_argument("old", type=Path, help="an earlier results file")
    parser.add_argument("new", type=Path, nargs="?", default=DEFAULT_NEW, help=f"default: {DEFAULT_NEW}")
    args = parser.parse_args(argv)
    old, new = load(args.old), load(args.new)
    print(format_comparison(compare(old, new), label(args.old, old), label(args.new, new)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
