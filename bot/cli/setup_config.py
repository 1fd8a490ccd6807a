"""`setup discourse --write`: set a few keys of a config file's `[discourse]` table in place.

A minimal textual edit, so the file keeps its comments, order and layout: an existing
`key = value` line gets the new value (its trailing comment stays); a key only present as a
commented-out example (`# key = 105`) gets its line right below that example; any other key is
added at the end of the table, and a file without the table gets one at the end. The result is
parsed again and must hold exactly the new values with everything else unchanged; if not (an
inline table, a dotted key, a multi-line value…), nothing is written and the caller prints the
values to paste instead.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Mapping
from typing import Any

Value = str | int
_HEADER = re.compile(r"^\s*\[\s*([A-Za-z0-9_.\"' -]+?)\s*\]\s*(#.*)?$")
_ANY_HEADER = re.compile(r"^\s*\[")


def toml_value(value: Value) -> str:
    """A TOML literal: an integer as is, a string as a basic string (JSON's escapes are TOML's)."""
    return str(value) if isinstance(value, int) else json.dumps(value, ensure_ascii=False)


def _section_bounds(lines: list[str], section: str) -> tuple[int, int] | None:
    """(index of the header, index just past the table's last line) of ``[section]``."""
    start = next((i for i, line in enumerate(lines) if _header_name(line) == section), None)
    if start is None:
        return None
    end = next((j for j in range(start + 1, len(lines)) if _ANY_HEADER.match(lines[j])), len(lines))
    return start, end


def _header_name(line: str) -> str | None:
    match = _HEADER.match(line)
    return match.group(1).strip() if match else None


def _assignment(key: str) -> re.Pattern[str]:
    value = r"(\"(?:[^\"\\]|\\.)*\"|'[^']*'|[^\s#]+)"
    return re.compile(rf"^(\s*{re.escape(key)}\s*=\s*){value}(\s*(#.*)?)$")


def _set_in_table(lines: list[str], start: int, end: int, key: str, value: Value) -> int:
    """Set `key` inside lines[start:end]; returns how many lines were inserted (0 or 1)."""
    pattern = _assignment(key)
    for i in range(start + 1, end):
        match = pattern.match(lines[i])
        if match:
            lines[i] = f"{match.group(1)}{toml_value(value)}{match.group(3)}"
            return 0
    example = re.compile(rf"^\s*#\s*{re.escape(key)}\s*=")
    at = next((i + 1 for i in range(start + 1, end) if example.match(lines[i])), None)
    if at is None:
        at = end
        while at > start + 1 and not lines[at - 1].strip():
            at -= 1  # before the blank lines that separate the next table
    lines.insert(at, f"{key} = {toml_value(value)}")
    return 1


def _changed_as_asked(
    before: dict[str, Any], after: dict[str, Any], section: str, values: Mapping[str, Value]
) -> bool:
    expected = dict(before)
    table = dict(expected.get(section) or {})
    table.update(values)
    expected[section] = table
    return after == expected


def set_keys(text: str, section: str, values: Mapping[str, Value]) -> str | None:
    """`text` with `values` set in its ``[section]`` table, or None when that cannot be done
    safely (the file is not valid TOML, or the edit would not give exactly these values)."""
    try:
        before = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return None
    if section in before and not isinstance(before[section], dict):
        return None
    lines = text.splitlines()
    bounds = _section_bounds(lines, section)
    if bounds is None:
        if lines and lines[-1].strip():
            lines.append("")
        lines.append(f"[{section}]")
        bounds = (len(lines) - 1, len(lines))
    start, end = bounds
    for key, value in values.items():
        end += _set_in_table(lines, start, end, key, value)
    result = "\n".join(lines) + "\n"
    try:
        after = tomllib.loads(result)
    except tomllib.TOMLDecodeError:
        return None
    return result if _changed_as_asked(before, after, section, values) else None
