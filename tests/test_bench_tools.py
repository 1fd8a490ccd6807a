"""The benchmark suite's own tools: the README's table is the latest results file, targets are
judged per row, and `--compare` says what got better or worse."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bench import compare, readme, targets
from bench.suite import DEFAULT_JSON, format_table

ROOT = Path(__file__).resolve().parent.parent


def _row(benchmark: str, measure: str, bot: float, baseline: float, ratio: float | None) -> dict[str, Any]:
    return {"benchmark": benchmark, "measure": measure, "bot": bot, "baseline": baseline, "ratio": ratio}


def _results(rows: list[dict[str, Any]], date: str = "2026-12-02T03:00:00+00:00") -> dict[str, Any]:
    return {
        "date": date,
        "quick": False,
        "postgresql": True,
        "machine": {"python": "3.11.7", "platform": "Linux-x86_64", "cpus": 2},
        "load_average_at_end": [1.0, 1.0, 1.0],
        "total_seconds": 420.0,
        "rows": rows,
    }


def test_readme_table_is_the_latest_results_file() -> None:
    """Whoever changes bench/results/latest.json must regenerate the README (python -m bench.readme)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    results = json.loads(DEFAULT_JSON.read_text(encoding="utf-8"))
    assert readme.render(text, results) == text, "README.md's performance table is not latest.json's"
    assert format_table(results["rows"]) in text


def test_readme_section_is_rewritten_from_a_new_results_file(tmp_path: Path) -> None:
    page = tmp_path / "README.md"
    page.write_text(
        f"# Title\n\nbefore\n\n{readme.START}\nold table\n{readme.END}\n\nafter\n", encoding="utf-8"
    )
    rows = [
        _row(
            "reminder fan-out 2000 @ 200/s",
            "in-process s vs ideal (429s: 0, dup: 0, lost: 0)",
            10.3,
            10.0,
            1.03,
        )
    ]
    targets.apply(rows)
    results_file = tmp_path / "latest.json"
    results_file.write_text(json.dumps(_results(rows)), encoding="utf-8")

    assert readme.update(results_file, page) is True
    text = page.read_text(encoding="utf-8")
    assert "old table" not in text
    assert text.startswith("# Title\n\nbefore\n") and text.endswith("\nafter\n")
    assert "2026-12-02 (03:00 UTC)" in text and "total 420 s (7.0 min)" in text
    assert "|  1.03 | ≤ 1.05×: met |" in text
    assert "Targets met: 1 of 1" in text
    assert readme.update(results_file, page) is False  # already current


def test_readme_without_markers_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="no generated performance section"):
        readme.render("# no markers here\n", _results([]))


def test_targets_judge_ratios_and_absolute_figures() -> None:
    rows = [
        _row(
            "reminder fan-out 2000 @ 200/s, SQLite",
            "in-process s vs ideal (429s: 0, dup: 0, lost: 0)",
            36.1,
            10.0,
            3.61,
        ),
        _row("webhook intake (8 in flight), SQLite", "deliveries/s vs bare HMAC check", 400, 700, 0.57),
        _row("db scale 100k people / 1M audit, PostgreSQL", "sweep p50 ms vs pk read", 168.0, 1.1, 152.7),
        _row("db scale 100k people / 1M audit, SQLite", "report p50 ms vs pk read", 90.0, 1.0, 90.0),
        _row("db scale 100k people / 1M audit, SQLite", "audit p50 ms vs pk read", 3.0, 1.0, 3.0),
    ]
    assert targets.apply(rows) == (2, 4)
    fanout, webhook, sweep, report, audit = rows
    assert (fanout["target"], fanout["met"]) == ("≤ 1.05×", False)
    assert (webhook["target"], webhook["met"]) == ("≥ 0.5×", True)
    # absolute targets bound the bot's own figure, not the ratio against a primary-key read
    assert (sweep["target"], sweep["met"]) == ("bot ≤ 50 ms", False)
    assert (report["target"], report["met"]) == ("bot ≤ 100 ms", True)
    assert "target" not in audit
    table = format_table(rows)
    assert "≤ 1.05×: MISSED" in table and "bot ≤ 100 ms: met" in table


def test_compare_says_better_or_worse_in_each_rows_direction() -> None:
    old = _results(
        [
            _row("fan-out", "in-process s vs ideal", 36.1, 10.0, 3.61),
            _row("webhook intake", "deliveries/s vs bare HMAC check", 200, 700, 0.29),
            _row("ack find", "ack p50 ms vs bare Bolt no-op", 12.0, 11.8, 1.02),
            _row("old bench", "something", 1.0, 1.0, 1.0),
        ]
    )
    new = _results(
        [
            _row("fan-out", "in-process s vs ideal", 10.3, 10.0, 1.03),
            _row("webhook intake", "deliveries/s vs bare HMAC check", 150, 700, 0.21),
            _row("ack find", "ack p50 ms vs bare Bolt no-op", 12.1, 11.8, 1.025),
            _row("new bench", "something", 1.0, 1.0, 1.0),
        ]
    )
    verdicts = {(e["benchmark"], e["verdict"]) for e in compare.compare(old, new)}
    assert verdicts == {
        ("fan-out", "better"),  # a time ratio went down
        ("webhook intake", "worse"),  # a throughput ratio went down
        ("ack find", "same"),  # within noise
        ("new bench", "new"),
        ("old bench", "gone"),
    }
    text = compare.format_comparison(compare.compare(old, new), "old.json", "new.json")
    assert "-71 %" in text and "1 better, 1 worse, 1 same, 1 new, 1 gone" in text


def test_compare_command_reads_two_files_and_refuses_a_non_results_file(tmp_path: Path) -> None:
    old, new, junk = tmp_path / "old.json", tmp_path / "new.json", tmp_path / "junk.json"
    old.write_text(json.dumps(_results([_row("x", "p99 ms", 2.0, 1.0, 2.0)])), encoding="utf-8")
    new.write_text(json.dumps(_results([_row("x", "p99 ms", 1.0, 1.0, 1.0)])), encoding="utf-8")
    junk.write_text("{not json", encoding="utf-8")

    def run(*args: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bench.compare", *map(str, args)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    ok = run(old, new)
    assert ok.returncode == 0 and "better" in ok.stdout and "-50 %" in ok.stdout
    bad = run(junk, new)
    assert bad.returncode != 0
    assert "is not a results file" in bad.stderr and "Traceback" not in bad.stderr
