"""`setup discourse --write` edits the config file in place: the keys change, nothing else does."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from bot.cli.setup_config import set_keys

VALUES = {"ambassador_badge_id": 101, "ambassador_group": "ambassadors", "webhook_secret": 'a"b\\c-ü-secret'}


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (  # existing keys: new values, trailing comments kept
            '[discourse]\nurl = "https://f"\nambassador_group = ""  # the group\n'
            'webhook_secret = "old-old-old-old"\nambassador_badge_id = 7\n\n[program]\nname = "X"\n',
            '[discourse]\nurl = "https://f"\nambassador_group = "ambassadors"  # the group\n'
            'webhook_secret = "a\\"b\\\\c-ü-secret"\nambassador_badge_id = 101\n\n[program]\nname = "X"\n',
        ),
        (  # a commented-out example: the key goes right below it; others at the table's end
            '# top\n[discourse]\nurl = "https://f"\n# ambassador_badge_id = 105\n\n'
            "[outbox]\nmax_attempts = 3\n",
            '# top\n[discourse]\nurl = "https://f"\n# ambassador_badge_id = 105\nambassador_badge_id = 101\n'
            'ambassador_group = "ambassadors"\nwebhook_secret = "a\\"b\\\\c-ü-secret"\n\n'
            "[outbox]\nmax_attempts = 3\n",
        ),
        (  # no [discourse] table: one is added at the end
            "[server]\nport = 3000\n",
            "[server]\nport = 3000\n\n[discourse]\nambassador_badge_id = 101\n"
            'ambassador_group = "ambassadors"\n'
            'webhook_secret = "a\\"b\\\\c-ü-secret"\n',
        ),
    ],
)
def test_keys_are_set_in_place(before: str, after: str) -> None:
    edited = set_keys(before, "discourse", VALUES)
    assert edited == after
    assert tomllib.loads(edited)["discourse"] | VALUES == tomllib.loads(edited)["discourse"]


@pytest.mark.parametrize(
    "text",
    [
        'discourse = { url = "https://f" }\n',  # an inline table cannot be edited line by line
        'discourse.url = "https://f"\n',  # a dotted key, no [discourse] header
        "[discourse\nurl = 1\n",  # not TOML at all
        '[discourse]\nambassador_group = """\nmulti\n"""\n',  # a multi-line value
    ],
)
def test_a_file_that_cannot_be_edited_safely_is_left_alone(text: str) -> None:
    assert set_keys(text, "discourse", VALUES) is None


def test_a_config_that_cannot_be_read_or_written_gets_the_values_printed_instead(tmp_path: Path) -> None:
    from bot.cli.setup import _write_or_print

    lines: list[str] = []
    _write_or_print({"ambassador_group": "ambassadors"}, str(tmp_path), True, lines.append)
    assert lines == [
        f"{tmp_path} could not be written (Is a directory); add these to its [discourse] table yourself:",
        '  ambassador_group = "ambassadors"',
    ]
