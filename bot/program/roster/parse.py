"""A roster CSV read into typed lines, each with its line number in the file, or refused.

Rules (pure, no I/O; tests/bot/program/roster/test_parse.py states each one as a table row):

- the file is UTF-8 (a byte-order mark is fine), at most `MAX_BYTES` and `MAX_LINES` lines, text
  (no NUL bytes), with a header row: columns in any order, their case and spaces ignored; an
  unknown or repeated column refuses the whole file, so a typo never drops a column's data;
- `slack_id` or `email` (one of them), `name`, `forum_username` and `term_start` are required;
  `term_end`, `status`, `expertise`, `location`, `timezone` and `bio` are optional (an empty
  optional field means "not given": an update keeps what the records hold);
- empty lines are skipped; quoted fields may hold commas and line breaks; a line is numbered by
  the physical line it starts on;
- dates are ISO `YYYY-MM-DD`; `term_end` must come after `term_start` (default: start + the
  configured term); an active term must not have ended already; `status` is `active` (default)
  or `alumni`;
- a second line naming a `slack_id`, `email` or `forum_username` (case-insensitive) already
  named is refused, naming the first line.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from bot.program.applications.form import FORUM_USERNAME, canonical_tz
from bot.program.directory.profiles import MAX_TAG_LEN, MAX_TAGS
from bot.program.directory.search import tags
from storage.enums import AmbassadorStatus

MAX_BYTES = 5 * 1024 * 1024
MAX_LINES = 20_000
REQUIRED = ("name", "forum_username", "term_start")
IDENTITY = ("slack_id", "email")
OPTIONAL = ("term_end", "status", "expertise", "location", "timezone", "bio")
COLUMNS = (*IDENTITY, *REQUIRED, *OPTIONAL)
LIMITS = {"name": 200, "email": 254, "expertise": 500, "location": 200, "timezone": 64, "bio": 1000}
STATUSES = (AmbassadorStatus.ACTIVE, AmbassadorStatus.ALUMNI)
SLACK_ID = re.compile(r"^[UW][A-Z0-9]{2,31}$")
EMAIL = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

NOT_A_ROSTER = (
    "not a roster: its first line is no header naming slack_id or email, name, forum_username, term_start"
)
TermEnd = Callable[[datetime], datetime]  # the configured term: ProgramSettings.term_end


@dataclass(frozen=True)
class RosterLine:
    """One ambassador as the file gives them (optional profile fields None when not given)."""

    line: int
    slack_id: str | None
    email: str | None
    name: str
    forum_username: str
    term_start: datetime
    term_end: datetime
    status: AmbassadorStatus
    expertise: str | None = None
    location: str | None = None
    timezone: str | None = None
    bio: str | None = None


@dataclass(frozen=True)
class Refusal:
    """A line of the file (0: the file as a whole) that is not imported, and why."""

    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}" if self.line else self.reason


@dataclass(frozen=True)
class Parsed:
    lines: tuple[RosterLine, ...]
    refused: tuple[Refusal, ...]
    total: int  # lines of data in the file (empty ones not counted)


class FileRefused(Exception):
    """The file as a whole cannot be read as a roster; `problems` says why, one line each."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = tuple(problems)


def _text(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise FileRefused([f"the file is {len(data) // 1024} KB; at most {MAX_BYTES // 1024 // 1024} MB"])
    if b"\x00" in data:
        raise FileRefused(["not a CSV file: it holds binary data (NUL bytes)"])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise FileRefused(
            [f"line {line}: not UTF-8 text (byte 0x{data[err.start]:02x}); save the file as CSV UTF-8"]
        ) from None
    if not text.strip():
        raise FileRefused(["the file is empty"])
    return text


def _header(raw: list[str]) -> list[str]:
    names = [" ".join(h.split()).lower().replace(" ", "_").replace("-", "_") for h in raw]
    if not any(h in COLUMNS for h in names):
        raise FileRefused([NOT_A_ROSTER])
    problems = [f"unknown column {h[:40]!r} (known: {', '.join(COLUMNS)})" for h in names if h not in COLUMNS]
    problems += [f"column {h!r} appears twice" for h in sorted({h for h in names if names.count(h) > 1})]
    if not any(h in names for h in IDENTITY):
        problems.append("missing column: slack_id or email (one of them is required)")
    problems += [f"missing column: {h}" for h in REQUIRED if h not in names]
    if problems:
        raise FileRefused(problems)
    return names


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    """(first physical line, fields) of each non-empty record; csv.Error is one refusal line."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    start = 1
    try:
        for fields in reader:
            if reader.line_num > MAX_LINES:
                raise FileRefused([f"the file has more than {MAX_LINES} lines"])
            if any(f.strip() for f in fields):
                yield start, fields
            start = reader.line_num + 1
    except csv.Error as err:
        # The record that could not be read starts here (an unclosed quote runs to the end).
        raise FileRefused([f"line {start}: not CSV ({err})"]) from None


def _date(value: str, column: str) -> date:
    if not ISO_DATE.match(value):
        raise ValueError(f"{column} {value[:40]!r} is not a date like 2026-03-31")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{column} {value!r} is not a date of the calendar") from None


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _identity(row: dict[str, str]) -> tuple[str | None, str | None]:
    slack_id, email = row.get("slack_id") or None, (row.get("email") or "").lower() or None
    if slack_id is None and email is None:
        raise ValueError("no slack_id or email")
    if slack_id is not None and not SLACK_ID.match(slack_id):
        raise ValueError(f"slack_id {slack_id[:40]!r} is not a Slack user id (like U012ABCDEF)")
    if email is not None and (len(email) > LIMITS["email"] or not EMAIL.match(email)):
        raise ValueError(f"email {email[:60]!r} is not an email address")
    return slack_id, email


def _term(row: dict[str, str], term_end: TermEnd, today: date) -> tuple[datetime, datetime, AmbassadorStatus]:
    start = _midnight(_date(row.get("term_start", ""), "term_start"))
    end = _midnight(_date(row["term_end"], "term_end")) if row.get("term_end") else term_end(start)
    if end <= start:
        raise ValueError(f"term_end {end:%Y-%m-%d} is not after term_start {start:%Y-%m-%d}")
    status_text = (row.get("status") or AmbassadorStatus.ACTIVE).lower()
    if status_text not in STATUSES:
        raise ValueError(f"unknown status {status_text[:40]!r} (active or alumni)")
    status = AmbassadorStatus(status_text)
    if status == AmbassadorStatus.ACTIVE and end.date() <= today:
        raise ValueError(f"the term ended on {end:%Y-%m-%d}: give a later term_end, or status alumni")
    return start, end, status


def _profile(row: dict[str, str]) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for key in ("expertise", "location", "timezone", "bio"):
        value = row.get(key) or None
        if value is not None and len(value) > LIMITS[key]:
            raise ValueError(f"{key} is {len(value)} characters long; at most {LIMITS[key]}")
        out[key] = value
    if out["expertise"] is not None:
        found = tags(out["expertise"])
        if len(found) > MAX_TAGS or any(len(t) > MAX_TAG_LEN for t in found):
            raise ValueError(f"expertise: at most {MAX_TAGS} areas of {MAX_TAG_LEN} characters each")
        out["expertise"] = ", ".join(found)
    if out["timezone"] is not None:
        tz = canonical_tz(out["timezone"])
        if tz is None:
            raise ValueError(f"unknown timezone {out['timezone'][:64]!r} (a name like Europe/Berlin)")
        out["timezone"] = tz
    return out


def _line(number: int, row: dict[str, str], term_end: TermEnd, today: date) -> RosterLine:
    slack_id, email = _identity(row)
    name = " ".join(row.get("name", "").split())
    if not name or len(name) > LIMITS["name"]:
        raise ValueError("no name" if not name else f"name is longer than {LIMITS['name']} characters")
    forum = row.get("forum_username", "").lstrip("@")
    if not FORUM_USERNAME.match(forum):
        raise ValueError(
            f"forum_username {forum[:60]!r} is not a forum username" if forum else "no forum_username"
        )
    start, end, status = _term(row, term_end, today)
    return RosterLine(number, slack_id, email, name, forum, start, end, status, **_profile(row))


class _Seen:
    """The first line that named each slack_id, email and forum_username."""

    def __init__(self) -> None:
        self._first: dict[tuple[str, str], int] = {}

    def duplicate(self, number: int, row: dict[str, str]) -> str | None:
        keys = [
            ("slack_id", (row.get("slack_id") or "").upper()),
            ("email", (row.get("email") or "").lower()),
            ("forum_username", (row.get("forum_username") or "").lstrip("@").lower()),
        ]
        found = None
        for column, value in keys:
            if not value:
                continue
            first = self._first.setdefault((column, value), number)
            if first != number and found is None:
                found = f"duplicate: {column} {value[:60]} is already on line {first}"
        return found


def parse_roster(data: bytes, term_end: TermEnd, today: date) -> Parsed:
    """The file's lines (see the module docstring). Raises FileRefused for the file as a whole."""
    records = _records(_text(data))
    first = next(records, None)
    if first is None:
        raise FileRefused(["the file is empty"])
    columns = _header(first[1])
    lines: list[RosterLine] = []
    refused: list[Refusal] = []
    seen = _Seen()
    total = 0
    for number, fields in records:
        total += 1
        if len(fields) > len(columns):
            refused.append(Refusal(number, f"{len(fields)} fields, but the header has {len(columns)}"))
            continue
        row = {c: f.strip() for c, f in zip(columns, fields, strict=False)}
        problem = seen.duplicate(number, row)
        try:
            if problem is not None:
                raise ValueError(problem)
            lines.append(_line(number, row, term_end, today))
        except ValueError as err:
            refused.append(Refusal(number, str(err)))
    if total == 0:
        raise FileRefused(["no ambassadors in the file: only a header"])
    return Parsed(tuple(lines), tuple(refused), total)
