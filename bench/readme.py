"""The README's performance table is made from a results file, never typed in by hand.

``python -m bench.readme`` rewrites the part of README.md between the two markers below from
``bench/results/latest.json`` (the date, the machine, the total time, the table with its targets);
``--check`` only says whether the two agree (exit 1 if not). A full suite run
(``python -m bench`` writing latest.json) does the rewrite itself, and a test
(tests/test_bench_readme.py) fails when README.md and latest.json disagree.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.suite import DEFAULT_JSON, format_table

START = "<!-- bench:latest:start (made by `python -m bench.readme` from bench/results/latest.json) -->"
END = "<!-- bench:latest:end -->"
README = Path(__file__).resolve().parent.parent / "README.md"


def section(results: dict[str, Any]) -> str:
    """The generated text: one paragraph on the run, then the table."""
    when = datetime.fromisoformat(results["date"])
    m = results.get("machine") or {}
    load = results.get("load_average_at_end") or []
    total = float(results.get("total_seconds") or 0)
    rows = results["rows"]
    with_target = [r for r in rows if "target" in r]
    met = sum(r.get("met") is True for r in with_target)
    db = "SQLite and PostgreSQL" if results.get("postgresql") else "SQLite only"
    kind = "quick (small sizes, a smoke run)" if results.get("quick") else "full"
    load_text = f"; load average at the end {load[0]:.2f}" if load else ""
    lines = [
        f"Latest {kind} run: {when:%Y-%m-%d} ({when:%H:%M} UTC), {m.get('cpus', '?')} CPUs, "
        f"Python {m.get('python', '?')} on {m.get('platform', '?')}, {db} on the same machine, "
        f"total {total:.0f} s ({total / 60:.1f} min){load_text}."
    ]
    if with_target:
        lines.append(f"Targets met: {met} of {len(with_target)} rows that have one.")
    return " ".join(lines) + "\n\n" + format_table(rows) + "\n"


def render(readme_text: str, results: dict[str, Any]) -> str:
    try:
        head, rest = readme_text.split(START, 1)
        _old, tail = rest.split(END, 1)
    except ValueError:
        raise SystemExit(
            f"README.md has no generated performance section (the markers {START!r} … {END!r})"
        ) from None
    return f"{head}{START}\n{section(results)}{END}{tail}"


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def update(results_path: Path = DEFAULT_JSON, readme: Path = README) -> bool:
    """Rewrite the README's section; True when it changed."""
    text = readme.read_text(encoding="utf-8")
    new = render(text, load(results_path))
    if new != text:
        readme.write_text(new, encoding="utf-8")
        return True
    return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.readme", description=__doc__.split("\n")[0])
    parser.add_argument("--results", type=Path, default=DEFAULT_JSON, help=f"default: {DEFAULT_JSON}")
    parser.add_argument("--readme", type=Path, default=README, help=f"default: {README}")
    parser.add_argument("--check", action="store_true", help="exit 1 if README.md does not match the results")
    args = parser.parse_args(argv)
    if args.check:
        text = args.readme.read_text(encoding="utf-8")
        if render(text, load(args.results)) != text:
            print(f"{args.readme} does not show {args.results}: run `python -m bench.readme`")
            return 1
        print(f"{args.readme} shows {args.results}")
        return 0
    changed = update(args.results, args.readme)
    print(f"{args.readme}: {'rewritten from' if changed else 'already shows'} {args.results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
