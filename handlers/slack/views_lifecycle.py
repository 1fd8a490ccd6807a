"""Block Kit for the ambassador lifecycle: nominations, onboarding, profiles and the directory,
linking, stepping down and the audit log. Outbox message templates register themselves in
`blocks.TEMPLATES` when this module is imported (handlers.slack imports it)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from bot.program.audit import AuditLine, AuditReport
from bot.program.linking import Linked, LinkStarted
from bot.program.nominations import NominationResult
from bot.program.onboarding import HOW, Checklist, StepResult, StuckReport
from bot.program.profiles import PROFILE_FIELDS, FindHit, FindResult
from handlers.slack import blocks
from handlers.slack import text as kit
from handlers.slack.blocks import MAX_TEXT, Block, button, context, escape, section

# Action and callback ids (the contract between these blocks and the listeners).
NOMINATION_INVITE = "nomination_invite"
NOMINATION_DECLINE = "nomination_decline"
NOMINATION_APPLY = "nomination_apply"
RETIRE_CONFIRM = "retire_confirm"
RETIRE_CANCEL = "retire_cancel"
PROFILE_VIEW = "profile_submit"

STEP_HINTS = {
    "intro": "post your introduction in the forum intro topic (link your forum account first)",
    "guidelines": "press “I have read the guidelines” in your welcome message or Home tab",
    "profile": "type `{command} profile` and save the form",
}


def _date(value: str | datetime | None) -> str:
    if value is None:
        return "?"
    dt = datetime.fromisoformat(value) if isinstance(value, str) else value
    return f"{dt:%Y-%m-%d}"


def _cut(text: str, limit: int) -> str:
    return kit.cut(" ".join(str(text).split()), limit)


def usage(command: str, *usages: str, problem: str = "") -> str:
    lines = "\n".join(f"`{command} {u}`" for u in usages)
    return f"{problem} Usage:\n{lines}".strip()


def shown_input(text: str) -> str:
    """Echo a bit of what someone typed, safely."""
    return kit.one_line(text, 40)


# -- nominations -----------------------------------------------------------------------------


def nominated_message(result: NominationResult) -> str:
    return (
        f"Thank you! Your nomination of <@{result.nominee}> (#{result.nomination_id}) is with the "
        "moderators. You'll get a message when they decide."
    )


def _nomination_review(d: Mapping[str, Any]) -> tuple[str, list[Block]]:
    nom_id = d["nomination_id"]
    text = f"New nomination #{nom_id}: <@{d['nominator']}> nominates <@{d['nominee']}>"
    out: list[Block] = [
        kit.header(f"Nomination #{nom_id}"),
        section(text),
        *kit.labelled("Why", str(d.get("reason") or "").strip()),  # in full, for the moderators
    ]
    decision = d.get("decision")
    if decision:
        mark = "✅ Invited to apply" if decision == "invited" else "❌ Declined"
        note = f"{mark} by <@{d['decided_by']}>"
        out.append(context(note))
        text += f" — {note.split(' ', 1)[1].lower()}"
    else:
        out.append(
            {
                "type": "actions",
                "block_id": f"nomination_{nom_id}",
                "elements": [
                    button("Invite to apply", NOMINATION_INVITE, str(nom_id), "primary"),
                    button("Decline", NOMINATION_DECLINE, str(nom_id), "danger"),
                ],
            }
        )
    return text, out


def _nomination_invite(d: Mapping[str, Any]) -> tuple[str, list[Block]]:
    program = escape(str(d.get("program") or "the ambassador program"))
    text = (
        f"<@{d['nominator']}> nominated you to become one of the {program}, and the moderators "
        "would love you to apply!"
    )
    out: list[Block] = [section(f"🌟 {text}")]
    if d.get("reason"):
        out.extend(kit.labelled("What they said", str(d["reason"]).strip()))
    out.append(
        {
            "type": "actions",
            "block_id": "nomination_apply",
            "elements": [
                button("Open the application form", NOMINATION_APPLY, str(d["nomination_id"]), "primary")
            ],
        }
    )
    return text, out


def _nomination_outcome(d: Mapping[str, Any]) -> tuple[str, list[Block]]:
    if d.get("status") == "invited":
        text = f"Good news: the moderators invited <@{d['nominee']}> to apply, thanks to your nomination."
    else:
        text = (
            f"The moderators decided not to invite <@{d['nominee']}> this time. Thank you for the nomination."
        )
    return text, [section(text)]


# -- stepping down ---------------------------------------------------------------------------


def _stepped_down(d: Mapping[str, Any]) -> tuple[str, list[Block]]:
    name = escape(str(d.get("name") or ""))
    text = f"<@{d['user']}> ({name}) stepped down as an ambassador (since {_date(d.get('term_start'))})."
    out = [section(f"👋 {text}")]
    if d.get("forum_username"):
        out.append(
            context(
                f"Forum badge and group membership of {escape(str(d['forum_username']))} are being removed."
            )
        )
    return text, out


def retire_prompt(ambassador_id: int, term_start: datetime, term_end: datetime) -> tuple[str, list[Block]]:
    text = (
        f"Do you want to step down as an ambassador? Your term runs {term_start:%Y-%m-%d} to "
        f"{term_end:%Y-%m-%d}. You'll become an alumnus: the forum badge and the ambassadors group "
        "are removed. You can apply again later."
    )
    return text, [
        section(text),
        {
            "type": "actions",
            "block_id": "retire",
            "elements": [
                button("Yes, step down", RETIRE_CONFIRM, str(ambassador_id), "danger"),
                button("Cancel", RETIRE_CANCEL, "cancel"),
            ],
        },
    ]


# -- onboarding ------------------------------------------------------------------------------


def checklist_message(c: Checklist, mine: bool, command: str) -> tuple[str, list[Block]]:
    who = "Your" if mine else f"<@{c.slack_user_id}>'s"
    head = f"*{who} onboarding: {c.done} of {len(c.steps)} done* (ambassador since {c.term_start:%Y-%m-%d})"
    lines = []
    for s in c.steps:
        if s.done:
            by = f" — by <@{s.completed_by}>" if s.completed_by and s.completed_by[:1] in "UW" else ""
            lines.append(f"✅ {escape(s.title)} ({_date(s.completed_at)}{by})")
        else:
            hint = STEP_HINTS.get(s.key, HOW.get(s.completes, "")).format(command=command)
            if not mine and s.completes == "moderator":
                hint = f"`{command} onboarding done <@{c.slack_user_id}> {s.key}`"
            lines.append(f"⬜ {escape(s.title)} — _{hint}_ (`{s.key}`)")
    text = head + "\n" + "\n".join(lines)
    return text, [section(text)]


def stuck_message(report: StuckReport) -> tuple[str, list[Block]]:
    if not report.entries:
        text = "Nobody is stuck: every active ambassador has finished onboarding. 🎉"
        return text, [section(text)]
    head = f"*{report.total} active ambassador(s) with unfinished onboarding*, longest-serving first:"
    lines = [
        f"• <@{e.slack_user_id}> ({kit.one_line(e.name, 60)}) — {e.days_since_approval} days since approval; "
        f"open: {kit.one_line(', '.join(e.open_steps), 200)}"
        for e in report.entries
    ]
    out = [section(head)] + [section("\n".join(lines[i : i + 6])) for i in range(0, len(lines), 6)]
    if report.total > len(report.entries):
        out.append(context(f"…and {report.total - len(report.entries)} more."))
    return head + "\n" + "\n".join(lines), out


def step_ticked_message(result: StepResult, user: str) -> str:
    if not result.newly_completed:
        return f"“{result.title}” was already done for <@{user}>."
    return f"Ticked “{result.title}” for <@{user}>. {result.remaining} step(s) to go."


# -- profiles and the directory --------------------------------------------------------------


def profile_modal(values: Mapping[str, str] | None = None) -> Block:
    out: list[Block] = [
        section(
            "Your entry in the ambassador directory. People find you by expertise, interests and location."
        )
    ]
    for spec in PROFILE_FIELDS:
        element: Block = {
            "type": "plain_text_input",
            "action_id": spec.key,
            "multiline": spec.multiline,
            "max_length": spec.max_len,
        }
        if values and values.get(spec.key):
            element["initial_value"] = values[spec.key][: spec.max_len]
        block: Block = {
            "type": "input",
            "block_id": spec.key,
            "label": {"type": "plain_text", "text": spec.label},
            "element": element,
            "optional": not spec.required,
        }
        if spec.hint:
            block["hint"] = {"type": "plain_text", "text": spec.hint}
        out.append(block)
    return {
        "type": "modal",
        "callback_id": PROFILE_VIEW,
        "title": {"type": "plain_text", "text": "Directory profile"},
        "submit": {"type": "plain_text", "text": "Save"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": out,
    }


def loading_modal() -> Block:
    return blocks.notice_modal("Loading your profile…", title="Directory profile")


def _hit(n: int, h: FindHit) -> str:
    who = f"<@{h.slack_user_id}>" if h.slack_user_id else ""
    place = ", ".join(x for x in (h.city, h.country) if x)
    parts = [f"*{n}. {kit.one_line(h.name, 80)}* {who}"]
    details = " · ".join(x for x in (kit.one_line(place, 80), escape(h.timezone)) if x)
    if details:
        parts.append(details)
    parts.append(f"*Expertise:* {kit.one_line(h.expertise, 300) or '—'}")
    if h.help_with:
        parts.append(f"*Can help with:* {kit.one_line(h.help_with, 300)}")
    parts.append(f"*Reach:* {kit.one_line(h.contact, 200) or '—'}")
    return "\n".join(parts)


def find_message(result: FindResult, command: str) -> tuple[str, list[Block]]:
    query = kit.one_line(" ".join(result.words), 200)
    if not result.hits:
        text = (
            f"No active ambassador matches “{query}”. Try fewer or shorter words, e.g. "
            f"`{command} find kubernetes`."
        )
        return text, [section(text)]
    head = f"*Ambassadors for “{query}”* — best matches first:"
    entries = [_hit(i + 1, h) for i, h in enumerate(result.hits)]
    out = [section(head)] + [section(e) for e in entries]
    notes = []
    if result.total > len(result.hits):
        notes.append(f"…and {result.total - len(result.hits)} more; add words to narrow the search.")
    if result.ignored:
        notes.append(f"Ignored (too short): {kit.one_line(', '.join(result.ignored), 100)}.")
    if notes:
        out.append(context(" ".join(notes)))
    text = head + "\n" + "\n".join(e.split("\n", 1)[0] for e in entries)
    return kit.cut(text, MAX_TEXT), out


# -- linking ---------------------------------------------------------------------------------


def link_started_message(started: LinkStarted, command: str) -> str:
    return (
        f"I sent a one-time code to *{escape(started.forum_username)}* by private message on the forum. "
        f"Type `{command} link confirm CODE` here within 15 minutes (until {started.expires_at:%H:%M} UTC)."
    )


def linked_message(linked: Linked, mine: bool) -> str:
    who = "Your Slack account is" if mine else f"<@{linked.slack_user_id}> is"
    was = (
        f" (was {escape(linked.previous)})"
        if linked.previous and linked.previous != linked.forum_username
        else ""
    )
    return f"✅ {who} now linked to the forum account *{escape(linked.forum_username)}*{was}."


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
    return _cut(text, 60)


def _actor(actor: str) -> str:
    return f"<@{actor}>" if actor[:1] in "UW" and actor.isalnum() else kit.one_line(actor, 40)


def _audit_line(e: AuditLine) -> str:
    subject = f"{e.subject_type} #{e.subject_id}" if e.subject_type != "person" else "person"
    change = _changes(e.before, e.after)
    line = f"`{e.at:%Y-%m-%d %H:%M}` {_actor(e.actor)} ({e.platform}) *{escape(e.action)}* · {subject}"
    if change:
        line += f" · {kit.one_line(change, 220)}"
    return line


def audit_message(report: AuditReport) -> tuple[str, list[Block]]:
    name = f" ({kit.one_line(report.name, 60)})" if report.name else ""
    head = f"*Audit log about <@{report.slack_user_id}>{name}*, newest first ({len(report.lines)} entries):"
    if not report.lines:
        return head, [section(head), context("No entries.")]
    lines = [_audit_line(e) for e in report.lines]
    out = [section(head)] + [section("\n".join(lines[i : i + 5])) for i in range(0, len(lines), 5)]
    return kit.cut(head + "\n" + "\n".join(lines), MAX_TEXT), out


def _register(templates: dict[str, Any], items: Sequence[tuple[str, Any]]) -> None:
    for name, builder in items:
        templates.setdefault(name, builder)


_register(
    blocks.TEMPLATES,
    (
        ("nomination_review", _nomination_review),
        ("nomination_invite", _nomination_invite),
        ("nomination_outcome", _nomination_outcome),
        ("stepped_down", _stepped_down),
    ),
)
