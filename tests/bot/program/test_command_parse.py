"""The slash command's parser (bot/program/commands.py): a mistyped subcommand is named, with the
nearest known one when one is close; a far too long text is refused as such."""

from __future__ import annotations

import pytest

from bot.program.commands import parse


@pytest.mark.parametrize(
    ("text", "unknown", "nearest"),
    [
        ("renw my plans", "renw", "renew"),
        ("STATSU", "STATSU", "status"),
        ("frobnicate 🎉", "frobnicate", None),
    ],
)
def test_a_mistyped_subcommand_is_named_with_the_nearest_known_one(
    text: str, unknown: str, nearest: str | None
) -> None:
    parsed = parse(text)
    assert (parsed.name, parsed.unknown, parsed.nearest) == ("help", unknown, nearest)


def test_a_far_too_long_text_is_refused_as_too_long_not_as_unknown() -> None:
    parsed = parse("frobnicate " + "x" * 5000)
    assert parsed.unknown is None and parsed.problem is not None and "too long" in parsed.problem


def test_a_known_subcommand_has_no_problem() -> None:
    parsed = parse("find kubernetes")
    assert (parsed.name, parsed.args, parsed.problem, parsed.nearest) == ("find", ("kubernetes",), None, None)
