"""`plural`: the count and the word as a person writes them (issue 16: never "step(s)")."""

from __future__ import annotations

import pytest

from bot.program.text import plural


@pytest.mark.parametrize(
    ("count", "word", "many", "expected"),
    [
        (0, "row", None, "0 rows"),
        (1, "row", None, "1 row"),
        (2, "row", None, "2 rows"),
        (1, "delivery", "deliveries", "1 delivery"),
        (3, "delivery", "deliveries", "3 deliveries"),
        (1, "fix", "fixes", "1 fix"),
        (2, "fix", "fixes", "2 fixes"),
        (-1, "degree", None, "-1 degrees"),
    ],
)
def test_plural(count: int, word: str, many: str | None, expected: str) -> None:
    assert plural(count, word, many) == expected
