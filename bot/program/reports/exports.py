"""Exports for moderators: ambassadors, applications, requests, user groups and the audit log, as
CSV or JSON, for the command line (`ambassador-bot export`) and as a file sent in Slack.

Values: datetimes ISO 8601 in UTC with the zone, dates ISO, amounts as decimal strings with the
currency's decimals, JSON columns as JSON (as a JSON string inside a CSV cell), empty for NULL.
A CSV text cell that starts with = + - @ (which a spreadsheet would run as a formula) gets a
leading apostrophe.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import uuid4

from bot.program.errors import Conflict, InvalidInput, NotFound
from bot.program.money import CURRENCIES
from bot.program.permissions import GuardedService, Permission, Subject
from bot.program.reports.sending import DmFile, audit_sent, send_file
from bot.program.text import plural
from storage.models import Application, AuditEntry
from storage.requests import REFERENCE_PREFIX

EXPORT_KINDS = ("ambassadors", "applications", "requests", "groups", "audit")
FORMATS = ("csv", "json")
MAX_SLACK_BYTES = 5 * 1024 * 1024  # larger exports: use the command line
GROUP_TABLE = "user_groups"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def plain(value: Any) -> Any:
    """A value as JSON-ready data."""
    if isinstance(value, datetime):
        return (value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _cell(value: Any) -> str:
    value = plain(value)
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    if isinstance(value, str) and text.startswith(_FORMULA_START):
        return "'" + text
    return text


def to_csv(columns: Sequence[str], rows: Sequence[dict[str, Any]]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(c)) for c in columns])
    return buf.getvalue().encode("utf-8")


def to_json(rows: Sequence[dict[str, Any]]) -> bytes:
    data = [{k: plain(v) for k, v in row.items()} for row in rows]
    return (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def _money(amount: Decimal | None, currency: str | None) -> Decimal | None:
    if amount is None:
        return None
    digits = CURRENCIES.get(currency or "", 2)
    return amount.quantize(Decimal(1).scaleb(-digits))


@dataclass(frozen=True)
class ExportFile:
    kind: str
    format: str
    filename: str
    content: bytes
    rows: int


class ExportService(GuardedService):
    """The exports (`Permission.EXPORT`: moderators). The command line builds it with the default
    settings and no guard: an export needs no setting, and the default settings' guard is the
    plain one."""

    @staticmethod
    def check(kind: str, fmt: str) -> tuple[str, str]:
        kind, fmt = kind.strip().lower(), fmt.strip().lower().lstrip(".")
        if kind not in EXPORT_KINDS:
            raise InvalidInput(f"Exports: {', '.join(EXPORT_KINDS)} (not {kind[:30]!r}).")
        if fmt not in FORMATS:
            raise InvalidInput(f"Formats: csv or json (not {fmt[:10]!r}).")
        return kind, fmt

    async def rows(self, kind: str) -> tuple[list[str], list[dict[str, Any]]]:
        """The column names and rows of one export, with Python values."""
        async with self._uow() as uow:
            repo = uow.exports
            if kind == "ambassadors":
                rows = await repo.ambassadors()
                columns = [
                    "ambassador_id",
                    "slack_user_id",
                    "name",
                    "forum_username",
                    "status",
                    "term_start",
                    "term_end",
                    "application_id",
                    "created_at",
                ]
                return columns, rows
            if kind == "applications":
                return [c.name for c in Application.__table__.columns], await repo.applications()
            if kind == "audit":
                return [c.name for c in AuditEntry.__table__.columns], await repo.audit()
            if kind == "requests":
                rows = []
                for r in await repo.requests():
                    approvers = await uow.requests.approvers(int(r["id"]))
                    rows.append(
                        {
                            "reference": f"{REFERENCE_PREFIX.get(r['kind'], 'RQ')}-{r['id']:04d}",
                            **r,
                            "amount": _money(r["amount"], r["currency"]),
                            "approvers": ",".join(approvers),
                        }
                    )
                columns = [
                    "reference",
                    "id",
                    "kind",
                    "status",
                    "requester_slack_id",
                    "summary",
                    "amount",
                    "currency",
                    "on_date",
                    "approvals_needed",
                    "approvers",
                    "created_at",
                    "updated_at",
                    "decided_at",
                    "decided_by",
                    "closed_at",
                    "closed_by",
                    "details",
                ]
                return columns, [{c: row.get(c) for c in columns} for row in rows]
            # groups: another feature's table, present once that feature is installed
            found = await repo.by_name(GROUP_TABLE)
            if found is None:
                raise NotFound("There are no user groups in this database yet.")
            return found

    async def render(self, kind: str, fmt: str) -> ExportFile:
        kind, fmt = self.check(kind, fmt)
        columns, rows = await self.rows(kind)
        content = to_csv(columns, rows) if fmt == "csv" else to_json(rows)
        stamp = self._clock.now().astimezone(UTC)
        return ExportFile(kind, fmt, f"{kind}-{stamp:%Y%m%d-%H%M%S}.{fmt}", content, len(rows))

    async def ensure_allowed(self, actor: str, kind: str) -> None:
        await self._guard.require(actor, Permission.EXPORT, Subject(kind))

    async def send(self, actor: str, kind: str, fmt: str) -> ExportFile:
        """Upload the export as a file in a direct message to the moderator who asked."""
        kind, fmt = self.check(kind, fmt)
        await self.ensure_allowed(actor, kind)
        export = await self.render(kind, fmt)
        if len(export.content) > MAX_SLACK_BYTES:
            raise Conflict(
                f"The {kind} export is {len(export.content) // 1024} KB, too large to send here; "
                f"run `ambassador-bot export {kind} --format {fmt}` on the server instead."
            )
        now = self._clock.now()
        unique = uuid4().hex[:6]
        filename = export.filename.replace(f".{fmt}", f"-{unique}.{fmt}")
        async with self._uow() as uow:
            file = DmFile(
                filename,
                f"{kind.capitalize()} export ({plural(export.rows, 'row')})",
                export.content,
                f"Here is the {kind} export you asked for: {plural(export.rows, 'row')}, {fmt.upper()}.",
            )
            await send_file(uow, f"export:{actor}:{kind}:{unique}", actor, file, now)
            after = {"format": fmt, "rows": export.rows}
            await audit_sent(uow, now, actor, "export.sent", ("export", kind), after)
        self._signal.kick()
        return ExportFile(kind, fmt, filename, export.content, export.rows)
