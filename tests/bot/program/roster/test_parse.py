"""The roster CSV rules (bot/program/roster/parse.py), one table row each: what a file turns into,
line by line, or the one line that refuses the file as a whole."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from dateutil.relativedelta import relativedelta

from bot.program.roster.parse import MAX_BYTES, FileRefused, parse_roster

TODAY = date(2026, 12, 1)
HEADER = "slack_id,name,forum_username,term_start"
NOT_A_ROSTER = (
    "not a roster: its first line is no header naming slack_id or email, name, forum_username, term_start"
)


def term_end(start: datetime) -> datetime:
    return start + relativedelta(years=2)


def parse(text: str | bytes) -> tuple[list[str], list[str]]:
    """(the lines read, as "line N: name forum start-end status", the refusals as printed)."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    parsed = parse_roster(data, term_end, TODAY)
    read = [
        f"line {r.line}: {r.name} {r.forum_username} {r.term_start:%Y-%m-%d}-{r.term_end:%Y-%m-%d} {r.status}"
        for r in parsed.lines
    ]
    return read, [str(r) for r in parsed.refused]


def refused_file(text: str | bytes) -> list[str]:
    data = text.encode("utf-8") if isinstance(text, str) else text
    with pytest.raises(FileRefused) as err:
        parse_roster(data, term_end, TODAY)
    return list(err.value.problems)


@pytest.mark.parametrize(
    ("text", "read"),
    [
        # header in any order and any case, spaces around names
        (
            " Term_Start , NAME,Forum-Username,slack_id\n2026-01-15,Jane Doe,jane,U0JANE\n",
            ["line 2: Jane Doe jane 2026-01-15-2028-01-15 active"],
        ),
        # a byte-order mark (Excel's "CSV UTF-8") and Windows line ends
        (
            "\ufeff" + HEADER + "\r\nU0JANE,Jane,jane,2026-01-15\r\n",
            ["line 2: Jane jane 2026-01-15-2028-01-15 active"],
        ),
        # empty lines are skipped; a line keeps its physical number
        (
            HEADER + "\n\n,,,\nU0JANE,Jane,jane,2026-01-15\n\n",
            ["line 4: Jane jane 2026-01-15-2028-01-15 active"],
        ),
        # a quoted field with a comma and a line break; the next line is numbered by where it starts
        (
            HEADER + ',bio\nU0JANE,"Doe, Jane",jane,2026-01-15,"two\nlines"\nU0BOB,Bob,bob,2026-02-01,\n',
            [
                "line 2: Doe, Jane jane 2026-01-15-2028-01-15 active",
                "line 4: Bob bob 2026-02-01-2028-02-01 active",
            ],
        ),
        # unicode names, kept as written
        (
            HEADER + "\nU0ZOE,Zoë Ångström 山田,zoe,2026-01-15\n",
            ["line 2: Zoë Ångström 山田 zoe 2026-01-15-2028-01-15 active"],
        ),
        # an explicit term_end and status alumni
        (
            HEADER + ",term_end,status\nU0OLD,Old,old,2020-01-01,2022-01-01,Alumni\n",
            ["line 2: Old old 2020-01-01-2022-01-01 alumni"],
        ),
        # email instead of slack_id
        (
            "email,name,forum_username,term_start\nJane@Example.org,Jane,jane,2026-01-15\n",
            ["line 2: Jane jane 2026-01-15-2028-01-15 active"],
        ),
    ],
)
def test_lines_read(text: str, read: list[str]) -> None:
    assert parse(text) == (read, [])


@pytest.mark.parametrize(
    ("row", "refusal"),
    [
        ("U0JANE,Jane,jane,2026-13-01", "line 2: term_start '2026-13-01' is not a date of the calendar"),
        ("U0JANE,Jane,jane,15/01/2026", "line 2: term_start '15/01/2026' is not a date like 2026-03-31"),
        ("U0JANE,Jane,jane,", "line 2: term_start '' is not a date like 2026-03-31"),
        (
            "U0JANE,Jane,jane,2026-01-15,2025-01-01",
            "line 2: term_end 2025-01-01 is not after term_start 2026-01-15",
        ),
        ("U0JANE,Jane,jane,2026-01-15,,retired", "line 2: unknown status 'retired' (active or alumni)"),
        (
            "U0JANE,Jane,jane,2020-01-15,2022-01-15,active",
            "line 2: the term ended on 2022-01-15: give a later term_end, or status alumni",
        ),
        ("jane,Jane,jane,2026-01-15", "line 2: slack_id 'jane' is not a Slack user id (like U012ABCDEF)"),
        (",Jane,jane,2026-01-15", "line 2: no slack_id or email"),
        ("U0JANE,,jane,2026-01-15", "line 2: no name"),
        ("U0JANE,Jane,j a n e,2026-01-15", "line 2: forum_username 'j a n e' is not a forum username"),
        (
            "U0JANE,Jane,jane,2026-01-15,,,,Mars/Olympus",
            "line 2: unknown timezone 'Mars/Olympus' (a name like Europe/Berlin)",
        ),
        ("U0JANE,Jane,jane,2026-01-15,,,,,x,y", "line 2: 10 fields, but the header has 8"),
    ],
)
def test_bad_lines_are_refused_with_their_number_and_reason(row: str, refusal: str) -> None:
    text = "slack_id,name,forum_username,term_start,term_end,status,expertise,timezone\n" + row + "\n"
    assert parse(text) == ([], [refusal])


def test_a_duplicate_is_refused_on_the_second_line_naming_the_first() -> None:
    text = (
        "slack_id,email,name,forum_username,term_start\n"
        "U0JANE,,Jane,jane,2026-01-15\n"
        "U0BOB,bob@example.org,Bob,bob,2026-01-15\n"
        "U0JANE,,Jane again,jane2,2026-01-15\n"
        ",BOB@example.org,Bob again,bob2,2026-01-15\n"
        "U0ANN,,Ann,JANE,2026-01-15\n"
    )
    read, refused = parse(text)
    assert [r.split(":")[0] for r in read] == ["line 2", "line 3"]
    assert refused == [
        "line 4: duplicate: slack_id U0JANE is already on line 2",
        "line 5: duplicate: email bob@example.org is already on line 3",
        "line 6: duplicate: forum_username jane is already on line 2",
    ]


@pytest.mark.parametrize(
    ("data", "problems"),
    [
        (b"", ["the file is empty"]),
        (b"\n\n", ["the file is empty"]),
        (HEADER.encode() + b"\n", ["no ambassadors in the file: only a header"]),
        (
            b"name,forum_username\nJane,jane\n",
            ["missing column: slack_id or email (one of them is required)", "missing column: term_start"],
        ),
        (
            b"slack_id,name,forum_username,term_start,emial\n",
            [
                "unknown column 'emial' (known: slack_id, email, name, forum_username, term_start, term_end, "
                "status, expertise, location, timezone, bio)"
            ],
        ),
        (b"slack_id,name,Name,forum_username,term_start\n", ["column 'name' appears twice"]),
        (
            HEADER.encode() + b"\nU0JANE,Ren\xe9,rene,2026-01-15\n",
            ["line 2: not UTF-8 text (byte 0xe9); save the file as CSV UTF-8"],
        ),
        (b"Hello,\nthis is a letter, not a roster.\n", [NOT_A_ROSTER]),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", ["not a CSV file: it holds binary data (NUL bytes)"]),
        (b'{"ambassadors": [{"name": "Jane"}]}\n', [NOT_A_ROSTER]),
        (HEADER.encode() + b'\nU0JANE,"Jane,jane,2026-01-15\n', ["line 2: not CSV (unexpected end of data)"]),
        (b"x" * (MAX_BYTES + 1), [f"the file is {(MAX_BYTES + 1) // 1024} KB; at most 5 MB"]),
    ],
)
def test_a_file_that_is_no_roster_is_one_line_per_problem(data: bytes, problems: list[str]) -> None:
    assert refused_file(data) == problems


def test_too_many_lines_is_one_line() -> None:
    text = HEADER + "\n" + "".join(f"U0X{i},N{i},n{i},2026-01-15\n" for i in range(20_001))
    assert refused_file(text) == ["the file has more than 20000 lines"]


def test_profile_fields_are_cleaned_as_the_profile_form_cleans_them() -> None:
    text = (
        "slack_id,name,forum_username,term_start,expertise,timezone,location\n"
        'U0JANE,Jane,jane,2026-01-15,"k8s; Python,k8s",europe/berlin,"Lyon, France"\n'
    )
    line = parse_roster(text.encode(), term_end, TODAY).lines[0]
    assert (line.expertise, line.timezone, line.location) == ("k8s, Python", "Europe/Berlin", "Lyon, France")
    assert line.term_start == datetime(2026, 1, 15, tzinfo=UTC)
