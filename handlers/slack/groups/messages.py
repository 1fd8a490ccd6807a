"""The outbox messages of user groups: the review message, the outcome and mentor DMs, the
conflict message for the ambassadors, the handover checklist and the recognition.
`templates()` names them (collected by handlers.slack.renderers); each renderer takes its typed
message (bot.program.groups.messages), which says which buttons the card offers."""

from __future__ import annotations

from bot.program.groups import messages as group_messages
from bot.program.groups.messages import (
    GroupConflict,
    GroupHandover,
    GroupMentor,
    GroupOutcome,
    GroupRecognition,
    GroupReview,
    HandoverStepLine,
)
from bot.program.text import plural
from handlers.slack import blocks
from handlers.slack import text as kit
from handlers.slack.blocks import Block, MessageRenderer, button, context, escape, section, typed
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

# The buttons of the decisions the program allows on a review card (GroupReview.actions).
_BUTTONS: dict[str, tuple[str, str, str | None]] = {
    group_messages.APPROVE: ("Approve", APPROVE, "primary"),
    group_messages.REJECT: ("Reject", REJECT, "danger"),
    group_messages.CHANGES: ("Needs changes", CHANGES, None),
    group_messages.ASK_AMBASSADORS: ("Ask ambassadors to resolve", ASK_AMBASSADORS, None),
    group_messages.OBJECT: ("Object", OBJECT, None),
    group_messages.RESOLVE: ("Mark resolved", RESOLVED, "primary"),
}


def _actions(block_id: str, group_id: int, actions: tuple[str, ...]) -> Block:
    elements = [
        button(label, action_id, str(group_id), style)
        for label, action_id, style in (_BUTTONS[a] for a in actions)
    ]
    return {"type": "actions", "block_id": block_id, "elements": elements}


def _place(g: GroupReview | GroupConflict) -> str:
    return ", ".join(escape(part) for part in (g.city, g.region, g.country) if part) or "—"


def _overlap_line(g: GroupReview) -> str | None:
    if g.overlap is None:
        return None
    line = f"🔁 *Overlaps with #{g.overlap.id} {escape(g.overlap.title)}* ({escape(g.overlap.reason)})"
    if g.conflict == "open":
        return line + f" — with the ambassadors since {_who(g.conflict_by)} asked; the decision waits."
    if g.conflict == "resolved":
        return line + f" — ✅ resolved by {_who(g.conflict_by)}."
    return line + " — ask the ambassadors to resolve it before approving."


def _review_head(g: GroupReview) -> list[Block]:
    revision = g.revision or 1
    head = f"User group request #{g.group_id}" + (f" (update {revision - 1})" if revision > 1 else "")
    asked = kit.one_line(g.requested_name, 200)
    out: list[Block] = [
        {"type": "header", "text": {"type": "plain_text", "text": kit.squeeze(head, 150)}},
        section(f"*{escape(g.title)}*\nRequested as “{asked}” by {_who(g.requester)}"),
        {
            "type": "section",
            "fields": [
                kit.field(f"*Where*\n{_place(g)}"),
                kit.field(f"*Website*\n{escape(g.website or '—')}"),
            ],
        },
    ]
    if g.description:
        out.extend(kit.labelled("Description", g.description.strip()))
    if g.links:
        out.extend(kit.labelled("Links", g.links.strip()))
    if g.organisers:
        out.append(section("*Organisers*: " + ", ".join(kit.squeeze(o, 120) for o in g.organisers)))
    if g.flags:
        out.append(section("\n".join(f"⚠️ *Screening:* it {escape(f.reason)}" for f in g.flags)))
    if g.missing:
        out.append(context("Missing: " + "; ".join(escape(m) for m in g.missing)))
    return out


def _review(g: GroupReview) -> tuple[str, list[Block]]:
    text = f"User group request #{g.group_id}: {escape(g.title)}"
    out = _review_head(g)
    overlap = _overlap_line(g)
    if overlap:
        out.append(section(overlap))
        text += " (overlaps)"
    if g.objected_by:
        out.append(context(f"✋ {_who(g.objected_by)} objected: a reviewer decides (no automatic approval)."))
    if g.status == "pending":
        out.append(_actions(f"group_review_{g.group_id}", g.group_id, g.actions))
        if g.auto_approves:
            out.append(
                context(
                    f"Approved automatically after {g.auto_approve_hours:g} hours unless someone objects."
                )
            )
    elif g.status == "rejected":
        note = f"❌ Rejected by {_who(g.decided_by)}"
        if g.reason:
            note += f" — {kit.one_line(g.reason, 500)}"
        out.append(context(note))
        text += " — rejected"
    elif g.status == "needs_changes":
        out.append(
            context(
                f"✏️ Changes requested by {_who(g.decided_by)}: {kit.one_line(g.change_request or '', 500)}"
            )
        )
        text += " — changes requested"
    elif g.status in ("approved", "official"):
        out.append(context(f"✅ Approved by {_who(g.decided_by)}; mentor {_who(g.mentor)}"))
        text += f" — approved by {_who(g.decided_by)}"
    return text, out


def _outcome(d: GroupOutcome) -> tuple[str, list[Block]]:
    gid, title, command = d.group_id, escape(d.title), d.command or "/ambassador"
    if d.outcome == "approved":
        text = (
            f"🎉 Your user group request #{gid} was approved: *{title}*. "
            f"Your mentor is {_who(d.mentor)}; they'll guide you through the official group handover."
        )
        return text, [section(text), context(f"`{command} group status` shows the handover checklist.")]
    if d.outcome == "needs_changes":
        text = f"A reviewer asked for changes to your user group request #{gid} ({title}):\n>{escape(d.text)}"
        return kit.cut(text, blocks.MAX_TEXT), [
            *kit.sections(text),
            context(f"Type `{command} group request` to open your request again, fix it and send it back."),
        ]
    text = f"Your user group request #{gid} ({title}) was not accepted.\nReason: {escape(d.text)}"
    out = kit.sections(text)
    text = kit.cut(text, blocks.MAX_TEXT)
    if d.what_is:
        out.append(section(f"What a user group is, and how to start one: {d.what_is}"))
        text += f"\nWhat a user group is: {d.what_is}"
    return text, out


def _mentor(d: GroupMentor) -> tuple[str, list[Block]]:
    text = (
        f"{_who(d.by)} approved the user group *{escape(d.title)}* (#{d.group_id}) "
        f"and chose you as its mentor. Its requester is {_who(d.requester)}. The official group "
        "handover checklist is in the review channel."
    )
    return text, [section(text)]


def _conflict(g: GroupConflict) -> tuple[str, list[Block]]:
    other = g.overlap
    text = (
        f"Ambassadors, please resolve: user group request #{g.group_id} *{escape(g.title)}* ({_place(g)}) "
        f"overlaps with #{other.id if other else None} *{escape(other.title if other else '')}* "
        f"({escape(other.reason if other else '')})."
    )
    out: list[Block] = [
        section(f"🔁 {text}"),
        context(
            f"Requested by {_who(g.requester)}. Talk it through with the organisers; the decision "
            "waits until the overlap is marked resolved."
        ),
    ]
    if g.actions:
        out.append(_actions(f"group_conflict_{g.group_id}", g.group_id, g.actions))
    else:
        out.append(context(f"✅ Resolved by {_who(g.conflict_by)}."))
        text += " — resolved"
    return text, out


def _step(d: GroupHandover, s: HandoverStepLine) -> Block:
    if s.done:
        line = f"✅ {escape(s.title)} — {_who(s.by)}, {kit.day(s.at)}"
        if s.value:
            line += f" · <{s.value}|link>"
        return {"type": "section", "block_id": f"step_{s.key}", "text": {"type": "mrkdwn", "text": line}}
    who = " or ".join(s.who)
    block: Block = {
        "type": "section",
        "block_id": f"step_{s.key}",
        "text": {"type": "mrkdwn", "text": f"⬜ {escape(s.title)} — _{escape(who)}_"},
    }
    if d.can_tick:
        block["accessory"] = button("Done", STEP, f"{d.group_id}:{s.key}")
    return block


def _handover(d: GroupHandover) -> tuple[str, list[Block]]:
    done, total = d.done, len(d.steps)
    text = f"Official group handover: {escape(d.title)} — {done} of {total} done"
    out: list[Block] = [
        {"type": "header", "text": kit.plain(" ".join(f"Handover: {d.title}".split()), kit.HEADER)},
        context(f"Mentor {_who(d.mentor)} · {done} of {plural(total, 'step')} done"),
        *(_step(d, s) for s in d.steps),
    ]
    if d.status == "official":
        out.append(
            context("🎉 Official: the recognition message goes to every leader; a delivery report follows.")
        )
        text += " — official"
    return text, out


def _recognition(d: GroupRecognition) -> tuple[str, list[Block]]:
    # The text comes from the configured template; the values in it were escaped by the service.
    return d.text, [section(f"🏅 *{d.title}*\n{d.text}")]


def templates() -> dict[str, MessageRenderer]:
    """The outbox message templates built here: template name -> renderer."""
    return {
        GroupReview.kind: typed(GroupReview, _review),
        GroupOutcome.kind: typed(GroupOutcome, _outcome),
        GroupMentor.kind: typed(GroupMentor, _mentor),
        GroupConflict.kind: typed(GroupConflict, _conflict),
        GroupHandover.kind: typed(GroupHandover, _handover),
        GroupRecognition.kind: typed(GroupRecognition, _recognition),
    }
