"""The answer to `audit`: one line per recorded change."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from bot.program.audit import REFUSAL_SUBJECT, AuditLine, AuditReport
from bot.program.text import plural
from handlers.slack import text as kit
from handlers.slack.blocks import MAX_TEXT, Block, context, escape, section

# -- audit -----------------------------------------------------------------------------------


def _changes(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> str:
    before, after = before or {}, after or {}
    parts = []
    for key in list(dict.fromkeys([*before, *after])):
        old, new = before.get(key), after.get(key)
        if key in before and key in after:
            parts.append(f"{key}: {_short(old)} → {_short(new)}")
        elif key in after:
            parts.append(f"{key}: {_short(new)}")
        else:
            parts.append(f"{key}: {_short(old)} → ∅")
    return "; ".join(parts)


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return kit.squeeze(text, 60)


def _actor(actor: str) -> str:
    return f"<@{actor}>" if actor[:1] in "UW" and actor.isalnum() else kit.one_line(actor, 40)


def _audit_line(e: AuditLine) -> str:
    if e.subject_type == REFUSAL_SUBJECT:
        subject = _actor(e.subject_id)
    else:
        subject = f"{e.subject_type} #{e.subject_id}" if e.subject_type != "person" else "person"
    change = _changes(e.before, e.after)
    line = f"`{e.at:%Y-%m-%d %H:%M}` {_actor(e.actor)} ({e.platform}) *{escape(e.action)}* · {subject}"
    if change:
        line += f" · {kit.one_line(change, 220)}"
    return line


def audit_message(report: AuditReport) -> tuple[str, list[Block]]:
    name = f" ({kit.one_line(report.name, 60)})" if report.name else ""
    entries = plural(len(report.lines), "entry")
    head = f"*Audit log about <@{report.slack_user_id}>{name}*, newest first ({entries}):"
    if not report.lines:
        return head, [section(head), context("No entries.")]
    lines = [_audit_line(e) for e in report.lines]
    out = [section(head)] + [section("\n".join(lines[i : i + 5])) for i in range(0, len(lines), 5)]
    return kit.cut(head + "\n" + "\n".join(lines), MAX_TEXT), out
