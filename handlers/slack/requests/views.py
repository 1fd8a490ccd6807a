"""Block Kit for requests: the forms, the review message, the requester's DMs, the lists and the
Home tab section. `templates()` names the outbox templates "request_review" and "request_status"."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from bot.program.requests import FIELDS, RequestView, fields_for_display
from bot.program.requests import messages as request_messages
from bot.program.requests.kinds import CLOSING, KIND_LABELS
from bot.program.requests.messages import RequestChanged, RequestNote, RequestReview, review_actions
from bot.program.text import plural
from handlers.slack import blocks
from handlers.slack import text as kit
from handlers.slack.blocks import Block, MessageRenderer, button, context, escape, section

# Action and callback ids: the contract between these blocks and the request listeners.
REQUEST_VIEW = "request_submit"
NOTE_VIEW = "request_note"
APPROVE = "request_approve"
REJECT = "request_reject"
ASK = "request_ask"
ANSWER = "request_answer"
CLOSE = "request_close"
NOTE_BLOCK = "note"
NOTE_ACTION = "note_input"

TITLES = {"hardware": "Hardware request", "expense": "Expense claim", "swag": "Swag request"}
INTROS = {
    "hardware": "Hardware for a project or an event demo. The moderators review every request.",
    "expense": "Claim back what you spent for the program. Attach the receipt as a link or a file.",
    "swag": "Stickers, shirts and the like for an event you run.",
}
NOTE_FORMS = {
    # op: (title, submit label, intro, label)
    "reject": ("Reject request", "Reject and notify", "{ref} will be closed as not approved.", "Reason"),
    "ask": ("Ask for information", "Send question", "The requester gets your question.", "Question"),
    "answer": ("Answer the moderators", "Send answer", "Your answer goes to the moderators.", "Answer"),
}


NO_REQUESTS = "No open requests yet. Ask for hardware, an expense claim or swag with `{command} request`."


# -- modals ------------------------------------------------------------------------------------


def request_modal(kind: str) -> Block:
    out: list[Block] = [section(INTROS[kind])]
    for spec in FIELDS[kind]:
        element: Block
        if spec.type == "date":
            element = {"type": "datepicker", "action_id": spec.key}
        elif spec.type == "file":
            element = {
                "type": "file_input",
                "action_id": spec.key,
                "filetypes": ["pdf", "png", "jpg", "jpeg", "heic", "gif"],
                "max_files": 1,
            }
        else:
            element = {"type": "plain_text_input", "action_id": spec.key, "multiline": spec.multiline}
            if spec.type not in ("amount", "currency"):  # bad amounts get a message, not a cut
                element["max_length"] = spec.max_len
        out.append(blocks.input_block(spec, element))
    return {
        "type": "modal",
        "callback_id": REQUEST_VIEW,
        "private_metadata": json.dumps({"kind": kind}),
        "title": {"type": "plain_text", "text": TITLES[kind]},
        "submit": {"type": "plain_text", "text": "Send request"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": out,
    }


def note_modal(op: str, ref: str, request_id: int, channel: str | None, ts: str | None) -> Block:
    title, submit, intro, label = NOTE_FORMS[op]
    return {
        "type": "modal",
        "callback_id": NOTE_VIEW,
        "private_metadata": json.dumps({"op": op, "request_id": request_id, "channel": channel, "ts": ts}),
        "title": {"type": "plain_text", "text": title},
        "submit": {"type": "plain_text", "text": submit},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            section(f"*{escape(ref)}* — " + intro.format(ref=escape(ref))),
            {
                "type": "input",
                "block_id": NOTE_BLOCK,
                "label": {"type": "plain_text", "text": label},
                "element": {
                    "type": "plain_text_input",
                    "action_id": NOTE_ACTION,
                    "multiline": True,
                    "max_length": 2000,
                },
            },
        ],
    }


# -- messages ----------------------------------------------------------------------------------


def _fields_text(fields: Sequence[tuple[str, str]]) -> str:
    return "\n".join(f"*{escape(label)}*\n{kit.one_line(value, 700)}" for label, value in fields)


def _notes(notes: Sequence[RequestNote]) -> str:
    names = {"question": "asked", "answer": "answered", "reason": "gave the reason", "note": "noted"}
    return "\n".join(
        f"<@{n.author}> {names.get(n.kind, 'wrote')} ({kit.day(n.at)}): {kit.one_line(n.text, 500)}"
        for n in notes
    )


# The buttons of the decisions the program allows (bot.program.requests.messages.review_actions).
_BUTTONS: dict[str, tuple[str, str, str | None]] = {
    request_messages.APPROVE: ("Approve", APPROVE, "primary"),
    request_messages.REJECT: ("Reject", REJECT, "danger"),
    request_messages.ASK: ("Ask for information", ASK, None),
    request_messages.CLOSE: ("Mark {closing}", CLOSE, "primary"),
}


def _decision_buttons(request_id: int, actions: Sequence[str], closing: str, block_id: str) -> Block | None:
    if not actions:
        return None
    elements = [
        button(label.format(closing=closing), action_id, str(request_id), style)
        for label, action_id, style in (_BUTTONS[a] for a in actions)
    ]
    return {"type": "actions", "block_id": block_id, "elements": elements}


def _review(r: RequestReview) -> tuple[str, list[Block]]:
    ref = r.reference
    kind = KIND_LABELS.get(r.request_kind, r.request_kind)
    label = r.status_label or r.status
    text = f"{kind} request {ref} from <@{r.requester}>: {kit.one_line(r.summary, 120)}"
    status = f"*Status:* {escape(label)}"
    if r.approvers:
        status += " · approved by " + ", ".join(f"<@{a}>" for a in r.approvers)
    if r.approvals_needed > 1:
        status += f" · needs {r.approvals_needed} approvers"
    out: list[Block] = [
        kit.header(f"{kind} request {ref}"),
        section(f"From <@{r.requester}> · sent {kit.day(r.created_at)}"),
        *kit.sections(_fields_text(r.fields) or "—"),
        section(status),
    ]
    notes = _notes(r.notes)
    if notes:
        out.append(context(notes))
    actions = _decision_buttons(r.id, r.actions, r.closing, f"request_{r.id}")
    if actions:
        out.append(actions)
    return f"{text} — {label}", out


def _status(r: RequestChanged) -> tuple[str, list[Block]]:
    ref = f"*{escape(r.reference)}*"
    kind = KIND_LABELS.get(r.request_kind, r.request_kind).lower()
    by = f"<@{r.by}>" if r.by else "A moderator"
    note = escape((r.text or "").strip())  # in full: the sections below split it
    command = r.command
    approvers = ", ".join(f"<@{a}>" for a in r.approvers) or by
    texts = {
        "submitted": f"Your {kind} request {ref} is in: {escape(r.summary)}. "
        f"The moderators review it; you'll get a message here at every step. Quote {ref} when you "
        f"ask about it; `{command} requests` shows where it stands.",
        "approval_recorded": f"{by} approved {ref}. It needs {r.approvals_needed} approvals, "
        "so it is waiting for another moderator.",
        "approved": f"{ref} was approved by {approvers}. Next it will be marked {r.closing}.",
        "info_requested": f"{by} needs more information about {ref}:\n>{note}",
        "answered": f"Thanks — your answer about {ref} went to the moderators; it is back in review.",
        "rejected": f"{ref} was not approved. Reason: {note}",
        "shipped": f"{ref} has been shipped. The request is closed.",
        "reimbursed": f"{ref} has been reimbursed. The request is closed.",
    }
    text = texts.get(r.change, f"{ref} is now {escape(r.status_label or r.status)}.")
    out: list[Block] = kit.sections(text)
    text = kit.cut(text, kit.SECTION)
    if r.fields and r.change == "submitted":
        out.append(context(kit.squeeze(_fields_text(r.fields), 2900)))
    if r.can_answer:
        out.append(
            {
                "type": "actions",
                "block_id": f"request_answer_{r.id}",
                "elements": [button("Answer", ANSWER, str(r.id), "primary")],
            }
        )
    return text, out


# -- answers to commands -----------------------------------------------------------------------


def _line(r: RequestView) -> str:
    amount = f" · {r.amount_text}" if r.amount_text else ""
    return (
        f"*{r.reference}* {KIND_LABELS.get(r.kind, r.kind).lower()}{amount} — {kit.one_line(r.summary, 80)}\n"
        f"      {r.status_label} · sent {r.created_at:%Y-%m-%d}"
    )


def my_requests(items: Sequence[RequestView], total: int, command: str) -> tuple[str, list[Block]]:
    if not items:
        text = (
            f"You have no requests yet. Ask with `{command} request hardware`, `{command} request expense` "
            f"or `{command} request swag`."
        )
        return text, [section(text)]
    header = f"*Your requests* ({total})" if total == len(items) else f"*Your newest {len(items)} of {total}*"
    body = "\n".join(_line(r) for r in items)
    text = header + "\n" + body
    return text, [section(header), *kit.sections(body), context(f"Details: `{command} requests <reference>`")]


def request_queue(items: Sequence[RequestView], total: int) -> tuple[str, list[Block]]:
    if not items:
        return "No open requests.", [section("No open requests.")]
    header = f"*Open requests* ({total})" + ("" if total == len(items) else f", oldest {len(items)} shown")
    body = "\n".join(_line(r) + f" · from <@{r.requester}>" for r in items)
    return kit.cut(header + "\n" + body, kit.SECTION), [section(header), *kit.sections(body)]


def request_detail(r: RequestView) -> tuple[str, list[Block]]:
    fields = "\n".join(
        f"*{escape(label)}*: {kit.one_line(value, 500)}"
        for label, value in fields_for_display(r.kind, r.details, r.amount_text)
    )
    head = (
        f"*{r.reference}* — {KIND_LABELS.get(r.kind, r.kind)} from <@{r.requester}>, "
        f"sent {r.created_at:%Y-%m-%d}\n"
        f"*Status:* {r.status_label}"
    )
    if r.approvers:
        head += " · approved by " + ", ".join(f"<@{a}>" for a in r.approvers)
    out = [section(head), *kit.sections(fields or "—")]
    history = "\n".join(
        f"<@{n.author}> ({n.at:%Y-%m-%d}, {n.kind}): {kit.one_line(n.text, 400)}" for n in r.notes
    )
    if history:
        out.append(context(history))
    return head + "\n" + fields, out


# -- the Home tab ------------------------------------------------------------------------------


def home_sections(d: Mapping[str, Any]) -> list[Block]:
    """ "Your open requests" for everyone; the request queue with its buttons for moderators."""
    command = str(d.get("command", "/ambassador"))
    mine = d.get("requests") or []
    if mine:
        lines = "\n".join(
            f"*{escape(str(r['reference']))}* {escape(str(r['kind_label']).lower())} — "
            f"{kit.one_line(str(r['summary']), 80)} · _{escape(str(r['status_label']))}_"
            for r in mine
        )
    else:
        lines = NO_REQUESTS.format(command=command)
    out: list[Block] = [section(f"*Your open requests*\n{lines}")]
    queue = d.get("request_queue")
    if not d.get("is_moderator") or not isinstance(queue, Mapping):
        return out
    items = queue.get("items") or []
    total = int(queue.get("total") or 0)
    out += [
        {"type": "divider"},
        {"type": "header", "text": {"type": "plain_text", "text": "Requests to review"}},
        section(f"*{plural(total, 'open request')}*"),
    ]
    for r in items:
        amount = f" · {escape(str(r['amount_text']))}" if r.get("amount_text") else ""
        out.append(
            section(
                f"*{escape(str(r['reference']))}* {escape(str(r['kind_label']))} "
                f"from <@{r['requester']}>{amount}"
                f" (sent {kit.day(r.get('created_at'))})\n{kit.one_line(str(r['summary']), 200)}"
                f" · _{escape(str(r['status_label']))}_"
            )
        )
        status, closing = str(r["status"]), str(CLOSING.get(str(r["kind"]), "shipped"))
        actions = _decision_buttons(int(r["id"]), review_actions(status), closing, f"home_request_{r['id']}")
        if actions:
            out.append(actions)
    if total > len(items):
        out.append(context(f"…and {total - len(items)} more in the review channel."))
    return out


def templates() -> dict[str, MessageRenderer]:
    """The outbox message templates built here: template name -> renderer."""
    return {
        RequestReview.kind: blocks.typed(RequestReview, _review),
        RequestChanged.kind: blocks.typed(RequestChanged, _status),
    }
