"""The one builder of Block Kit text (handlers/slack/text.py): Slack's limits hold and nothing a
reader must see is lost."""

from __future__ import annotations

import pytest

from handlers.slack import text as kit


@pytest.mark.parametrize(
    ("raw", "limit", "suffix", "expected"),
    [
        ("short", 75, "", "short"),
        ("x" * 80, 75, "", "x" * 74 + "…"),
        ("x" * 80, 75, " ★", "x" * 72 + "… ★"),  # the suffix is kept and counted
        ("x" * 73 + " ★", 75, "", "x" * 73 + " ★"),
        ("a &amp; b", 5, "", "a…"),  # the entity is dropped whole, never split
        ("hi <@U0ALICE> there", 10, "", "hi…"),
    ],
)
def test_cut_counts_the_whole_string(raw: str, limit: int, suffix: str, expected: str) -> None:
    got = kit.cut(raw, limit, suffix)
    assert got == expected and len(got) <= limit


def test_escape_comes_before_the_measure() -> None:
    assert kit.one_line("<&>" * 10, 12) == "&lt;&amp;…"
    assert len(kit.one_line("<&>" * 1000, 3000)) <= 3000


def test_long_text_is_split_across_sections_and_nothing_is_lost() -> None:
    reason = kit.escape("<&> " * 2500)  # 10 000 characters, 25 000 once escaped
    blocks = kit.sections(reason)
    assert len(blocks) > 1 and all(len(b["text"]["text"]) <= kit.SECTION for b in blocks)
    joined = "".join(b["text"]["text"] for b in blocks)
    assert joined.replace(" ", "") == reason.replace(" ", "")
    assert not any(b["text"]["text"].endswith(("&", "&l", "&lt", "&am", "&amp")) for b in blocks)


def test_lines_are_kept_whole_where_they_can_be() -> None:
    lines = [f"line {i} " + "w" * 90 for i in range(100)]
    parts = kit.chunks("\n".join(lines))
    assert all(len(p) <= kit.SECTION for p in parts)
    assert [line for p in parts for line in p.split("\n")] == lines


def test_plain_text_objects_stay_within_their_limits() -> None:
    assert len(kit.header("h" * 400)["text"]["text"]) == kit.HEADER
    assert len(kit.title("A very long modal title indeed")["text"]) == kit.TITLE
    option = kit.option("n" * 100, "U1", suffix=" ★")
    assert len(option["text"]["text"]) == kit.OPTION and option["text"]["text"].endswith(" ★")
    assert len(kit.button("b" * 100, "a", "v")["text"]["text"]) == kit.BUTTON
