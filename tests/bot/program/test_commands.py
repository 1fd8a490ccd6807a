from __future__ import annotations

from bot.program.commands import HELP, parse


def test_known_subcommands_parse_with_arguments() -> None:
    assert parse("status").name == "status"
    assert parse("  APPLY now ").name == "apply"
    assert parse("apply now").args == ("now",)


def test_empty_text_means_help() -> None:
    assert parse("").name == "help" and parse(None).problem is None


def test_unknown_and_oversized_input_becomes_help_with_a_reason() -> None:
    p = parse("frobnicate 🎉")
    assert p.name == "help" and p.problem is not None and "frobnicate" in p.problem
    assert "too long" in (parse("x" * 5000).problem or "")


def test_every_help_entry_is_a_parseable_command() -> None:
    for entry in HELP:
        assert parse(entry.usage).name == entry.name
