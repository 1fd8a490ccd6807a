"""The last step of `forget`: every other mention of the person, in any text or JSON column of any
table, replaced by their tombstone id; a JSON value that mentioned them keeps only its shape and
short codes; outbox rows still waiting that address or mention them are cancelled."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from bot.program.privacy.identity import Identity, tombstone_id
from storage.enums import OutboxStatus
from storage.privacy import PrivacyRepo, is_json, is_text

_DERIVED = ("audit_log", "outbox", "reminders", "processed_events")  # records about what happened
_CODE = re.compile(r"[a-z][a-z0-9_.:-]{0,31}|[A-Z]{2,4}-\d{1,6}|\d[\d.:TZ+-]*")  # statuses, refs, dates
_WAITING = (OutboxStatus.PENDING, OutboxStatus.IN_FLIGHT, OutboxStatus.FAILED)


@dataclass
class Swept:
    """What the sweep changed: rows anonymised per table, outbox rows cancelled."""

    anonymised: dict[str, int] = field(default_factory=dict)
    outbox_cancelled: int = 0


def _scrub(value: Any, patterns: list[re.Pattern[str]], replacement: str) -> Any:
    if isinstance(value, str):
        out = value
        for p in patterns:
            out = p.sub(replacement, out)
        return out
    if isinstance(value, list):
        return [_scrub(v, patterns, replacement) for v in value]
    if isinstance(value, dict):
        return {
            _scrub(k, patterns, replacement) if isinstance(k, str) else k: _scrub(v, patterns, replacement)
            for k, v in value.items()
        }
    return value


def _redact(value: Any) -> Any:
    """A JSON value that mentioned them: keep its shape, numbers and short codes such as
    statuses; every other text goes (it may quote them in ways no search finds)."""
    if isinstance(value, str):
        return value if _CODE.fullmatch(value) or value.startswith("forgotten#") else "[forgotten]"
    if isinstance(value, list):
        return [_redact(v) for v in value]
    if isinstance(value, dict):
        return {k: _redact(v) for k, v in value.items()}
    return value


class _Sweeper:
    def __init__(self, repo: PrivacyRepo, ident: Identity, about: set[int]) -> None:
        self._repo = repo
        self._about = about
        self._tomb_id = tombstone_id(ident.person_id)
        self._by_id = re.compile(re.escape(ident.slack_user_id)) if ident.slack_user_id else None
        self._by_name = [
            re.compile(rf"(?<!\w){re.escape(n.strip())}(?!\w)", re.IGNORECASE) for n in ident.names
        ]

    def _names_them(self, row: dict[str, Any], cols: list[str]) -> bool:
        return any(self._by_id and self._by_id.search(str(row[c])) for c in cols)

    def _new_value(self, table: str, col: str, row: dict[str, Any], cols: list[str]) -> tuple[bool, Any]:
        """(changed, the new value) of one cell."""
        old = row[col]
        # Their Slack id anywhere (also inside a DM channel id or an outbox key: Slack
        # ids are distinctive). Their names and forum username only in the derived
        # tables and in rows that name them by id: elsewhere the same word in someone
        # else's own text (a URL, a common name) is not about them.
        new = _scrub(old, [self._by_id] if self._by_id else [], self._tomb_id)
        if new != old or table in _DERIVED or self._names_them(row, cols):
            new = _scrub(new, self._by_name, self._tomb_id)
        ctype = self._repo.column_type(table, col)
        forced = table == "audit_log" and row["id"] in self._about and is_json(ctype)
        if new == old and not forced:
            return False, old
        if is_text(ctype) and isinstance(new, str):
            length = self._repo.max_length(table, col)
            return True, new[:length] if length else new
        if is_json(ctype):
            return True, _redact(new)
        return False, old

    def changes(self, table: str, cols: list[str], row: dict[str, Any]) -> dict[str, Any]:
        changes: dict[str, Any] = {}
        for col in cols:
            if table == "link_codes" and col == "code_hash":
                continue
            changed, new = self._new_value(table, col, row, cols)
            if changed:
                changes[col] = new
        return changes

    async def cancel_if_waiting(self, row_id: int, changes: dict[str, Any]) -> bool:
        status = await self._repo.select_rows("outbox", self._repo.t("outbox").c.id == row_id)
        if not status or status[0]["status"] not in _WAITING:
            return False
        changes["status"] = OutboxStatus.CANCELLED
        # Drop the lease too: a worker's "retry later" (which matches its own
        # lease) then cannot put the row back in the queue.
        changes["locked_by"] = None
        changes["locked_until"] = None
        changes["last_error"] = "cancelled: the person it was for or about was forgotten"
        return True


async def sweep(repo: PrivacyRepo, ident: Identity, about: set[int]) -> Swept:
    """Replace every remaining mention of `ident`; `about` are the audit rows whose subject is
    them (their JSON is redacted even where no name is found)."""
    sweeper, swept = _Sweeper(repo, ident, about), Swept()
    for table, cols, rows in await repo.text_rows():
        for row in rows:
            changes = sweeper.changes(table, cols, row)
            if not changes:
                continue
            if table == "outbox" and await sweeper.cancel_if_waiting(row["id"], changes):
                swept.outbox_cancelled += 1
            await repo.update_by_id(table, int(row["id"]), changes)
            swept.anonymised[table] = swept.anonymised.get(table, 0) + 1
    return swept
