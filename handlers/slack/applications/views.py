"""Block Kit of applications: the apply and reject-reason modals, the `status` answer, and the
outbox messages "application_review", "welcome" and "rejected" (named by `templates()`)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from bot.program.applications import APPLICATION_FIELDS, StatusView
from handlers.slack import text as kit
from handlers.slack.blocks import (
    MAX_TEXT,
    Block,
    MessageRenderer,
    button,
    context,
    escape,
    input_block,
    section,
    sections,
    text_input,
)
from handlers.slack.onboarding.views import ACK_GUIDELINES

# Action and callback ids: the contract between these blocks and the listeners.
APPROVE = "application_approve"
REJECT = "application_reject"
APPLY_VIEW = "application_submit"
REJECT_VIEW = "application_reject_reason"
REASON_BLOCK = "reason"
REASON_ACTION = "reason_input"


# -- status (an ephemeral answer) ---------------------------------------------------------------


def status_message(view: StatusView, command: str) -> tuple[str, list[Block]]:
    if not view.known:
        text = f"You have not applied yet. Type `{command} apply` to open the application form."
        return text, [section(text)]
    lines: list[str] = []
    if view.ambassador_status == "active":
        lines.append(
            f"*You are an ambassador* until {kit.day(view.term_end)} "
            f"(term started {kit.day(view.term_start)})."
        )
    elif view.ambassador_status:
        lines.append(f"Your ambassador status: *{view.ambassador_status}*.")
    if view.application_status == "pending":
        lines.append(
            f"Your application #{view.application_id} (sent {kit.day(view.submitted_at)}) is waiting for a "
            "moderator's review."
        )
    elif view.application_status == "rejected":
        lines.append(
            f"Your application #{view.application_id} was not accepted on {kit.day(view.decided_at)}. "
            f"Reason: {escape(view.decision_reason or '')}"
        )
    elif view.application_status == "approved" and view.ambassador_status != "active":
        lines.append(f"Your application #{view.application_id} was approved on {kit.day(view.decided_at)}.")
    blocks = sections("\n".join(lines))
    if view.steps:
        done = sum(1 for s in view.steps if s.done)
        checklist = "\n".join(f"{'✅' if s.done else '⬜'} {escape(s.title)}" for s in view.steps)
        blocks.append(section(f"*Onboarding: {done} of {len(view.steps)} done*\n{checklist}"))
        lines.append(f"Onboarding: {done} of {len(view.steps)} done")
    return "\n".join(lines), blocks


# -- modals ------------------------------------------------------------------------------------


def application_modal(
    values: Mapping[str, str] | None = None, title: str = "Ambassador application"
) -> Block:
    blocks: list[Block] = [
        section(
            "Tell the moderators about yourself. They review every application and will message you here."
        )
    ]
    for spec in APPLICATION_FIELDS:
        initial = values.get(spec.key) if values else None
        element = text_input(spec, initial)
        blocks.append(input_block(spec, element))
    return {
        "type": "modal",
        "callback_id": APPLY_VIEW,
        "title": kit.title(title),
        "submit": {"type": "plain_text", "text": "Send application"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": blocks,
    }


def reject_modal(app_id: int, channel: str | None, ts: str | None) -> Block:
    return {
        "type": "modal",
        "callback_id": REJECT_VIEW,
        "private_metadata": json.dumps({"application_id": app_id, "channel": channel, "ts": ts}),
        "title": {"type": "plain_text", "text": "Reject application"},
        "submit": {"type": "plain_text", "text": "Reject and notify"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            section(f"Application #{app_id} will be rejected. The applicant receives your reason by DM."),
            {
                "type": "input",
                "block_id": REASON_BLOCK,
                "label": {"type": "plain_text", "text": "Reason"},
                "element": {
                    "type": "plain_text_input",
                    "action_id": REASON_ACTION,
                    "multiline": True,
                    "max_length": 2000,
                },
            },
        ],
    }


def _application_review(d: Mapping[str, Any]) -> tuple[str, list[Block]]:
    app_id = d["application_id"]
    who = f"<@{d['applicant']}>" if d.get("applicant") else escape(str(d.get("name", "")))
    text = f"New ambassador application #{app_id} from {who}"
    fields = [
        kit.field(f"*{spec.label}*\n{escape(str(d.get(spec.key) or '—'))}")
        for spec in APPLICATION_FIELDS
        if spec.key in ("name", "forum_username", "location", "timezone")
    ]
    blocks: list[Block] = [
        kit.header(f"Ambassador application #{app_id}"),
        section(text),
        {"type": "section", "fields": fields},
    ]
    for key in ("expertise", "links", "motivation"):
        spec = next(s for s in APPLICATION_FIELDS if s.key == key)
        if d.get(key):  # in full: a long answer takes several sections
            blocks.extend(kit.labelled(spec.label, str(d[key])))
    decision = d.get("decision")
    if decision:
        mark = "✅ Approved" if decision == "approved" else "❌ Rejected"
        blocks.append(context(f"{mark} by <@{d['decided_by']}>"))
        if d.get("reason"):
            blocks.extend(kit.labelled("Reason", str(d["reason"])))
        text += f" — {mark.split(' ', 1)[1].lower()} by <@{d['decided_by']}>"
    else:
        blocks.append(
            {
                "type": "actions",
                "block_id": f"review_{app_id}",
                "elements": [
                    button("Approve", APPROVE, str(app_id), "primary"),
                    button("Reject", REJECT, str(app_id), "danger"),
                ],
            }
        )
    return text, blocks


def _welcome(d: Mapping[str, Any]) -> tuple[str, list[Block]]:
    program = escape(str(d.get("program") or "the ambassador program"))
    text = (
        f"Welcome to {program}, {escape(str(d.get('name', '')))}! Your application was approved; "
        f"your term runs until {kit.day(d.get('term_end'))}."
    )
    steps: Sequence[Mapping[str, Any]] = d.get("steps") or []
    checklist = "\n".join(f"{'✅' if s.get('done') else '⬜'} {escape(str(s['title']))}" for s in steps)
    blocks: list[Block] = [section(f"🎉 {text}")]
    if checklist:
        blocks.append(section(f"*Your onboarding checklist*\n{checklist}"))
    if d.get("guidelines_url"):
        blocks.append(section(f"Please read the guidelines: <{d['guidelines_url']}|ambassador guidelines>"))
    if d.get("ambassador_channel"):
        blocks.append(context(f"Say hello in <#{d['ambassador_channel']}>."))
    if any(s.get("key") == "guidelines" and not s.get("done") for s in steps):
        blocks.append(
            {
                "type": "actions",
                "block_id": "onboarding",
                "elements": [button("I have read the guidelines", ACK_GUIDELINES, "guidelines", "primary")],
            }
        )
    return text, blocks


def _rejected(d: Mapping[str, Any]) -> tuple[str, list[Block]]:
    program = escape(str(d.get("program") or "the ambassador program"))
    text = (
        f"Thank you for applying to {program}. A moderator did not accept your application this time.\n"
        f"Reason: {escape(str(d.get('reason', '')))}"
    )
    return kit.cut(text, MAX_TEXT), [
        *sections(text),
        context("You are welcome to apply again once the reason is addressed."),
    ]


def templates() -> dict[str, MessageRenderer]:
    """The outbox message templates built here: template name -> renderer."""
    return {"application_review": _application_review, "welcome": _welcome, "rejected": _rejected}
