"""Block Kit of applications: the apply and reject-reason modals, the `status` answer, and the
outbox messages `ApplicationReview` (the review card, drawn by `card.review_card`), `Welcome` and
`Rejected` (registered by `templates()`)."""

from __future__ import annotations

import json
from collections.abc import Mapping

from bot.program.applications.form import APPLICATION_FIELDS
from bot.program.applications.messages import ApplicationReview, Rejected, Step, Welcome
from bot.program.applications.results import StatusView
from handlers.slack import text as kit
from handlers.slack.applications.card import CardKind, actions, review_card
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
    typed,
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


CARD = CardKind(
    "Ambassador application",
    "review",
    (("Approve", APPROVE), ("Reject", REJECT)),
    ("approved", "✅ Approved", "❌ Rejected"),
)
CARD_FIELDS = ("name", "forum_username", "location", "timezone")  # side by side
LONG_FIELDS = ("expertise", "links", "motivation")  # in full: a long answer takes several sections


RENEWAL_CARD = CardKind("Renewal", "review", CARD.buttons, CARD.marks)


def _renewal_review(msg: ApplicationReview, who: str) -> tuple[str, list[Block]]:
    """A renewal's card: its own fields (who, the current term's end, the plans), not the
    application form's, which a renewal does not fill in."""
    fields = [
        kit.field(f"*Name*\n{escape(msg.name or '—')}"),
        kit.field(f"*Forum username*\n{escape(msg.forum_username or '—')}"),
        kit.field(f"*Timezone*\n{escape(msg.timezone or '—')}"),
        kit.field(f"*Current term ends*\n{kit.day(msg.term_end) if msg.term_end else '—'}"),
    ]
    body: list[Block] = [{"type": "section", "fields": fields}]
    if msg.motivation:
        body.extend(kit.labelled("Plans for the next term", msg.motivation))
    text = f"Renewal #{msg.application_id} from {who}"
    reason = kit.labelled("Reason", msg.reason) if msg.reason else []
    return review_card(RENEWAL_CARD, msg.application_id, text, body, msg, msg.decided_by, reason)


def _application_review(msg: ApplicationReview) -> tuple[str, list[Block]]:
    answers = {spec.key: str(getattr(msg, spec.key)) for spec in APPLICATION_FIELDS}
    who = f"<@{msg.applicant}>" if msg.applicant else escape(msg.name)
    if msg.renewal:
        return _renewal_review(msg, who)
    fields = [
        kit.field(f"*{spec.label}*\n{escape(answers[spec.key] or '—')}")
        for spec in APPLICATION_FIELDS
        if spec.key in CARD_FIELDS
    ]
    body: list[Block] = [{"type": "section", "fields": fields}]
    for spec in APPLICATION_FIELDS:
        if spec.key in LONG_FIELDS and answers[spec.key]:
            body.extend(kit.labelled(spec.label, answers[spec.key]))
    text = f"New ambassador application #{msg.application_id} from {who}"
    reason = kit.labelled("Reason", msg.reason) if msg.reason else []
    return review_card(CARD, msg.application_id, text, body, msg, msg.decided_by, reason)


def _welcome_step(s: Step) -> str:
    """A line of the welcome's checklist: who does a moderator's step, and where a step is done."""
    line = f"{'✅' if s.done else '⬜'} {escape(s.title)}"
    if s.completes == "moderator" and not s.done:
        line += " — _a moderator will do this_"
    return line + (f" · <{s.link}|Open>" if s.link else "")


def _welcome(msg: Welcome) -> tuple[str, list[Block]]:
    program = escape(msg.program or "the ambassador program")
    text = (
        f"Welcome to {program}, {escape(msg.name)}! Your application was approved; "
        f"your term runs until {kit.day(msg.term_end)}."
    )
    checklist = "\n".join(map(_welcome_step, msg.steps))
    blocks: list[Block] = [section(f"🎉 {text}")]
    if checklist:
        blocks.append(section(f"*Your onboarding checklist*\n{checklist}"))
    if msg.guidelines_url:
        blocks.append(section(f"Please read the guidelines: <{msg.guidelines_url}|ambassador guidelines>"))
    if msg.ambassador_channel:
        blocks.append(context(f"Say hello in <#{msg.ambassador_channel}>."))
    if msg.can_ack_guidelines:
        ack = button("I have read the guidelines", ACK_GUIDELINES, "guidelines", "primary")
        blocks.append(actions("onboarding", ack))
    return text, blocks


def _rejected(msg: Rejected) -> tuple[str, list[Block]]:
    program = escape(msg.program or "the ambassador program")
    text = (
        f"Thank you for applying to {program}. A moderator did not accept your application this time.\n"
        f"Reason: {escape(msg.reason)}"
    )
    return kit.cut(text, MAX_TEXT), [
        *sections(text),
        context("You are welcome to apply again once the reason is addressed."),
    ]


def templates() -> dict[str, MessageRenderer]:
    """The outbox message templates built here: template name -> renderer."""
    return {
        ApplicationReview.kind: typed(ApplicationReview, _application_review),
        Welcome.kind: typed(Welcome, _welcome),
        Rejected.kind: typed(Rejected, _rejected),
    }
