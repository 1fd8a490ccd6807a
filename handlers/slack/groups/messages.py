"""The outbox messages of user groups: the review message, the outcome and mentor DMs, the
conflict message for the ambassadors, the handover checklist and the recognition.
`templates()` names them (collected by handlers.slack.renderers)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from handlers.slack import blocks
from handlers.slack import text as kit
from handlers.slack.blocks import Block, MessageRenderer, button, context, escape, section
from handlers.slack.groups.views import (
    APPROVE,
    ASK_AMBASSADORS,
    CHANGES,
    OBJECT,
    REJECT,
    RESOLVED,
    STEP,
)
from handlers.slack.groups.views import who as _who


def _place(d: Mapping[str, Any]) -> str:
    return ", ".join(escape(str(d.get(k) or "")) for k in ("city", "region", "country") if d.get(k)) or "—"


def _review(d: Mapping[str, Any]) -> tuple[str, list[Block]]:
    gid, title = d["group_id"], escape(str(d.get("title", "")))
    text = f"User group request #{gid}: {title}"
    revision = int(d.get("revision") or 1)
    out: list[Block] = [
        {
            "type": "header",
            "text": {
                "type": "plain_text",
                "text": kit.squeeze(
                    f"User group request #{gid}" + (f" (update {revision - 1})" if revision > 1 else ""), 150
                ),
            },
        },
        section(
            f"*{title}*\nRequested as “{kit.one_line(str(d.get('requested_name', '')), 200)}” "
            f"by {_who(d.get('requester'))}"
        ),
        {
            "type": "section",
            "fields": [
                kit.field(f"*Where*\n{_place(d)}"),
                kit.field(f"*Website*\n{escape(str(d.get('website') or '—'))}"),
            ],
        },
    ]
    if d.get("description"):
        out.extend(kit.labelled("Description", str(d["description"]).strip()))
    if d.get("links"):
        out.extend(kit.labelled("Links", str(d["links"]).strip()))
    organisers: Sequence[str] = d.get("organisers") or []
    if organisers:
        out.append(section("*Organisers*: " + ", ".join(kit.squeeze(o, 120) for o in organisers)))
    flags: Sequence[Mapping[str, Any]] = d.get("flags") or []
    if flags:
        out.append(section("\n".join(f"⚠️ *Screening:* it {escape(str(f.get('reason', '')))}" for f in flags)))
    missing: Sequence[str] = d.get("missing") or []
    if missing:
        out.append(context("Missing: " + "; ".join(escape(m) for m in missing)))
    overlap: Mapping[str, Any] | None = d.get("overlap")
    conflict = d.get("conflict") or ""
    if overlap:
        line = (
            f"🔁 *Overlaps with #{overlap['id']} {escape(str(overlap.get('title', '')))}* "
            f"({escape(str(overlap.get('reason', '')))})"
        )
        if conflict == "open":
            line += f" — with the ambassadors since {_who(d.get('conflict_by'))} asked; the decision waits."
        elif conflict == "resolved":
            line += f" — ✅ resolved by {_who(d.get('conflict_by'))}."
        else:
            line += " — ask the ambassadors to resolve it before approving."
        out.append(section(line))
        text += " (overlaps)"
    if d.get("objected_by"):
        out.append(
            context(f"✋ {_who(d['objected_by'])} objected: a reviewer decides (no automatic approval).")
        )
    status = d.get("status")
    if status == "pending":
        elements = [
            button("Approve", APPROVE, str(gid), "primary"),
            button("Reject", REJECT, str(gid), "danger"),
            button("Needs changes", CHANGES, str(gid)),
        ]
        if overlap and not conflict:
            elements.append(button("Ask ambassadors to resolve", ASK_AMBASSADORS, str(gid)))
        if float(d.get("auto_approve_hours") or 0) > 0 and not d.get("objected_by"):
            elements.append(button("Object", OBJECT, str(gid)))
        out.append({"type": "actions", "block_id": f"group_review_{gid}", "elements": elements})
        if float(d.get("auto_approve_hours") or 0) > 0 and not flags and not d.get("objected_by"):
            out.append(
                context(
                    f"Approved automatically after {d['auto_approve_hours']:g} hours unless someone objects."
                )
            )
    elif status == "rejected":
        note = f"❌ Rejected by {_who(d.get('decided_by'))}"
        if d.get("reason"):
            note += f" — {kit.one_line(str(d['reason']), 500)}"
        out.append(context(note))
        text += " — rejected"
    elif status == "needs_changes":
        out.append(
            context(
                f"✏️ Changes requested by {_who(d.get('decided_by'))}: "
                f"{kit.one_line(str(d.get('change_request') or ''), 500)}"
            )
        )
        text += " — changes requested"
    elif status in ("approved", "official"):
        out.append(context(f"✅ Approved by {_who(d.get('decided_by'))}; mentor {_who(d.get('mentor'))}"))
        text += f" — approved by {_who(d.get('decided_by'))}"
    return text, out


def _outcome(d: Mapping[str, Any]) -> tuple[str, list[Block]]:
    gid, title, command = d["group_id"], escape(str(d.get("title", ""))), d.get("command") or "/ambassador"
    outcome = d.get("outcome")
    if outcome == "approved":
        text = (
            f"🎉 Your user group request #{gid} was approved: *{title}*. "
            f"Your mentor is {_who(d.get('mentor'))}; they'll guide you through the official group handover."
        )
        return text, [section(text), context(f"`{command} group status` shows the handover checklist.")]
    if outcome == "needs_changes":
        text = (
            f"A reviewer asked for changes to your user group request #{gid} ({title}):\n"
            f">{escape(str(d.get('text', '')))}"
        )
        return kit.cut(text, blocks.MAX_TEXT), [
            *kit.sections(text),
            context(f"Type `{command} group request` to open your request again, fix it and send it back."),
        ]
    text = (
        f"Your user group request #{gid} ({title}) was not accepted.\n"
        f"Reason: {escape(str(d.get('text', '')))}"
    )
    out = kit.sections(text)
    text = kit.cut(text, blocks.MAX_TEXT)
    if d.get("what_is"):
        out.append(section(f"What a user group is, and how to start one: {d['what_is']}"))
        text += f"\nWhat a user group is: {d['what_is']}"
    return text, out


def _mentor(d: Mapping[str, Any]) -> tuple[str, list[Block]]:
    text = (
        f"{_who(d.get('by'))} approved the user group *{escape(str(d.get('title', '')))}* (#{d['group_id']}) "
        f"and chose you as its mentor. Its requester is {_who(d.get('requester'))}. The official group "
        "handover checklist is in the review channel."
    )
    return text, [section(text)]


def _conflict(d: Mapping[str, Any]) -> tuple[str, list[Block]]:
    gid, title = d["group_id"], escape(str(d.get("title", "")))
    overlap: Mapping[str, Any] = d.get("overlap") or {}
    other, why = escape(str(overlap.get("title", ""))), escape(str(overlap.get("reason", "")))
    text = (
        f"Ambassadors, please resolve: user group request #{gid} *{title}* ({_place(d)}) overlaps with "
        f"#{overlap.get('id')} *{other}* ({why})."
    )
    out: list[Block] = [
        section(f"🔁 {text}"),
        context(
            f"Requested by {_who(d.get('requester'))}. Talk it through with the organisers; the decision "
            "waits until the overlap is marked resolved."
        ),
    ]
    if d.get("conflict") == "resolved":
        out.append(context(f"✅ Resolved by {_who(d.get('conflict_by'))}."))
        text += " — resolved"
    else:
        out.append(
            {
                "type": "actions",
                "block_id": f"group_conflict_{gid}",
                "elements": [button("Mark resolved", RESOLVED, str(gid), "primary")],
            }
        )
    return text, out


def _handover(d: Mapping[str, Any]) -> tuple[str, list[Block]]:
    gid, title = d["group_id"], escape(str(d.get("title", "")))
    steps: Sequence[Mapping[str, Any]] = d.get("steps") or []
    done = sum(1 for s in steps if s.get("done"))
    text = f"Official group handover: {title} — {done} of {len(steps)} done"
    out: list[Block] = [
        {
            "type": "header",
            "text": kit.plain(" ".join(f"Handover: {d.get('title', '')}".split()), kit.HEADER),
        },
        context(f"Mentor {_who(d.get('mentor'))} · {done} of {len(steps)} steps done"),
    ]
    for s in steps:
        who = " or ".join(s.get("who") or [])
        if s.get("done"):
            line = f"✅ {escape(str(s['title']))} — {_who(s.get('by'))}, {kit.day(s.get('at'))}"
            if s.get("value"):
                line += f" · <{s['value']}|link>"
            out.append(
                {"type": "section", "block_id": f"step_{s['key']}", "text": {"type": "mrkdwn", "text": line}}
            )
        else:
            block: Block = {
                "type": "section",
                "block_id": f"step_{s['key']}",
                "text": {"type": "mrkdwn", "text": f"⬜ {escape(str(s['title']))} — _{escape(who)}_"},
            }
            if d.get("status") == "approved":
                block["accessory"] = button("Done", STEP, f"{gid}:{s['key']}")
            out.append(block)
    if d.get("status") == "official":
        out.append(
            context("🎉 Official: the recognition message goes to every leader; a delivery report follows.")
        )
        text += " — official"
    return text, out


def _recognition(d: Mapping[str, Any]) -> tuple[str, list[Block]]:
    # The text comes from the configured template; the values in it were escaped by the service.
    text = str(d.get("text", ""))
    return text, [section(f"🏅 *{d.get('title', '')}*\n{text}")]


def templates() -> dict[str, MessageRenderer]:
    """The outbox message templates built here: template name -> renderer."""
    return {
        "group_review": _review,
        "group_outcome": _outcome,
        "group_mentor": _mentor,
        "group_conflict": _conflict,
        "group_handover": _handover,
        "group_recognition": _recognition,
    }
