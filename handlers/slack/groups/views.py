"""Block Kit for user groups: the action and callback ids, the request form, the review modals,
and the answers to `group status` and `groups`. The outbox messages (review, conflict, handover,
…) are in `messages`."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from bot.program.groups import GROUP_FIELDS, ApprovalForm, SubmitResult
from bot.program.groups.reports import STATUS_WORDS, GroupList, GroupView
from handlers.slack import blocks
from handlers.slack import text as kit
from handlers.slack.blocks import (
    Block,
    context,
    escape,
    input_block,
    section,
    text_input,
)

# Action and callback ids: the contract between these blocks and the listeners.
REQUEST_VIEW = "group_request_submit"
APPROVE = "group_approve"
REJECT = "group_reject"
CHANGES = "group_changes"
ASK_AMBASSADORS = "group_ask_ambassadors"
RESOLVED = "group_conflict_resolved"
OBJECT = "group_object"
STEP = "group_step"
APPROVE_VIEW = "group_approve_submit"
REASON_VIEW = "group_reason_submit"
STEP_VIEW = "group_step_submit"
SLACK_ORGANISERS = "organisers_slack"
MENTOR = "mentor"
FORUM_GROUP = "forum_group"
REASON = "reason"
VALUE = "value"


def who(uid: str | None) -> str:
    if not uid:
        return "someone"
    return "the bot" if uid == "bot" else f"<@{uid}>"


# -- the request form --------------------------------------------------------------------------


def _modal(callback_id: str, title: str, submit: str, out: list[Block], meta: Mapping[str, Any]) -> Block:
    return {
        "type": "modal",
        "callback_id": callback_id,
        "private_metadata": json.dumps(dict(meta)),
        "title": kit.title(title),
        "submit": kit.title(submit),
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": out,
    }


def request_modal(community: str, draft: Mapping[str, str] | None = None) -> Block:
    intro = (
        f"Tell us about your local {escape(community)} user group. Ambassadors and moderators review "
        "every request; the bot checks it first and puts the name into the standard form "
        f"(“{escape(community)} <City> {{your name}}”)."
    )
    out: list[Block] = [section(intro)]
    if draft and draft.get("change_request"):
        out.append(section(f"*What to fix:* {kit.one_line(draft['change_request'], 1500)}"))
    for spec in GROUP_FIELDS:
        if spec.key == "organisers_forum":
            slack_element: Block = {"type": "multi_users_select", "action_id": SLACK_ORGANISERS}
            initial = [u for u in (draft or {}).get(SLACK_ORGANISERS, "").split(",") if u]
            if initial:
                slack_element["initial_users"] = initial
            out.append(
                {
                    "type": "input",
                    "block_id": SLACK_ORGANISERS,
                    "label": {"type": "plain_text", "text": "Other organisers on Slack"},
                    "element": slack_element,
                    "optional": True,
                    "hint": {"type": "plain_text", "text": "You are an organiser already."},
                }
            )
        prefill = draft.get(spec.key) if draft else None
        element = text_input(spec, prefill[: spec.max_len] if prefill else None)
        out.append(input_block(spec, element))
    meta = {"group_id": int(draft["group_id"])} if draft and draft.get("group_id") else {}
    return _modal(REQUEST_VIEW, "User group request", "Send request", out, meta)


def submitted_notice(result: SubmitResult, command: str) -> Block:
    """What the requester sees after sending the form."""
    title = escape(result.title)
    if result.status == "rejected":
        reason = next((f.reason for f in result.flags if f.spam), "")
        return blocks.notice_modal(
            f"Request #{result.group_id} was not accepted: it {escape(reason)}. You'll find the details "
            "in a direct message.",
            title="Request not accepted",
        )
    lines = [
        f"Thank you! Request #{result.group_id} is with the reviewers as *{title}* "
        "(the standard name for user groups)."
    ]
    if result.flags:
        lines.append("Reviewers will look at: " + "; ".join(escape(f.reason) for f in result.flags) + ".")
    if result.overlap is not None:
        lines.append(
            f"It overlaps with *{escape(result.overlap.title)}* ({escape(result.overlap.reason)}); "
            "the ambassadors will sort that out with you."
        )
    if result.missing:
        lines.append("You could still add: " + "; ".join(escape(m) for m in result.missing) + ".")
    lines.append(f"`{command} group status` shows where it stands.")
    return blocks.notice_modal("\n".join(lines), title="Request sent")


# -- review modals -----------------------------------------------------------------------------


def approve_modal(form: ApprovalForm, channel: str | None, ts: str | None) -> Block:
    # The star is counted in the option's 75 characters: the name is shortened, not the star.
    options = [
        kit.option(o.label, o.slack_user_id, suffix=" ★" if i == 0 and o.score else "")
        for i, o in enumerate(form.options)
    ]
    element: Block = {
        "type": "static_select",
        "action_id": MENTOR,
        "placeholder": {"type": "plain_text", "text": "Choose a mentor"},
        "options": options,
        "initial_option": options[0],
    }
    out: list[Block] = [
        section(
            f"Approve *{escape(form.title)}* ({escape(form.place)}). Choose the ambassador who mentors "
            "the group. Those nearby come first (★), then those mentoring the fewest groups."
        ),
        {
            "type": "input",
            "block_id": MENTOR,
            "label": {"type": "plain_text", "text": "Mentor"},
            "element": element,
        },
        {
            "type": "input",
            "block_id": FORUM_GROUP,
            "optional": True,
            "label": {"type": "plain_text", "text": "Forum group"},
            "hint": {
                "type": "plain_text",
                "text": "The group's name in its forum address. Its organisers become its owners.",
            },
            "element": {
                "type": "plain_text_input",
                "action_id": FORUM_GROUP,
                "max_length": 60,
                **({"initial_value": form.forum_group} if form.forum_group else {}),
            },
        },
    ]
    meta = {"group_id": form.group_id, "channel": channel, "ts": ts}
    return _modal(APPROVE_VIEW, "Approve user group", "Approve", out, meta)


def reason_modal(
    mode: str, group_id: int, title: str, text: str, what_is_url: str, channel: str | None, ts: str | None
) -> Block:
    if mode == "reject":
        intro = f"*{escape(title)}* (request #{group_id}) will be rejected. The requester gets your reason."
        label, submit, heading = "Reason", "Reject and notify", "Reject user group"
        note = f"The message also links to what a user group is: {what_is_url}" if what_is_url else ""
    else:
        intro = f"Tell the requester of *{escape(title)}* (request #{group_id}) what to fix."
        label, submit, heading = "What should change?", "Send to requester", "Ask for changes"
        note = "They can open their request again with the same command, fix it and send it back."
    element: Block = {"type": "plain_text_input", "action_id": REASON, "multiline": True, "max_length": 2000}
    if text:
        element["initial_value"] = text[:2000]
    out: list[Block] = [
        section(intro),
        {
            "type": "input",
            "block_id": REASON,
            "label": {"type": "plain_text", "text": label},
            "element": element,
        },
    ]
    if note:
        out.append(context(escape(note)))
    meta = {"group_id": group_id, "mode": mode, "channel": channel, "ts": ts}
    return _modal(REASON_VIEW, heading, submit, out, meta)


def step_modal(group_id: int, key: str, title: str, channel: str | None, ts: str | None) -> Block:
    out: list[Block] = [
        section(f"Mark “{escape(title)}” done. Paste the link (a Slack file's link works too)."),
        {
            "type": "input",
            "block_id": VALUE,
            "label": {"type": "plain_text", "text": "Link"},
            "element": {"type": "plain_text_input", "action_id": VALUE, "max_length": 1000},
        },
    ]
    meta = {"group_id": group_id, "key": key, "channel": channel, "ts": ts}
    return _modal(STEP_VIEW, "Handover step", "Done", out, meta)


def loading(title: str) -> Block:
    return blocks.notice_modal("One moment…", title=title)


# -- answers to commands -----------------------------------------------------------------------


def _line(g: GroupView) -> str:
    parts = [f"*#{g.id} {kit.one_line(g.title, 120)}* — {kit.one_line(g.place, 80)}"]
    status = STATUS_WORDS.get(g.status, g.status)
    if g.distance_km is not None:
        parts.append(f"{g.distance_km:.0f} km")
    parts.append(status)
    if g.mentor:
        parts.append(f"mentor <@{g.mentor}>")
    line = " · ".join(parts)
    if g.organisers:
        line += "\n    organisers: " + ", ".join(kit.squeeze(o, 80) for o in g.organisers[:6])
    if g.ambassadors:
        line += "\n    ambassadors: " + ", ".join(f"<@{a}>" for a in g.ambassadors[:6])
    return line


def list_message(result: GroupList) -> tuple[str, list[Block]]:
    if not result.groups:
        text = f"*{escape(result.heading)}*: none."
        return text, [section(text)]
    head = f"*{escape(result.heading)}* ({result.total})"
    lines = [_line(g) for g in result.groups]
    out = [section(head)] + [section("\n".join(lines[i : i + 8])) for i in range(0, len(lines), 8)]
    if result.total > len(result.groups):
        out.append(context(f"…and {result.total - len(result.groups)} more."))
    return head + "\n" + "\n".join(lines), out


def status_message(views: Sequence[GroupView], command: str) -> tuple[str, list[Block]]:
    if not views:
        text = f"You have no user group requests. `{command} group request` opens the form."
        return text, [section(text)]
    lines: list[str] = []
    for g in views:
        line = f"*#{g.id} {kit.one_line(g.title, 120)}* — {STATUS_WORDS.get(g.status, g.status)}"
        line += f" (sent {kit.day(g.submitted_at)})"
        if g.status == "needs_changes" and g.change_request:
            line += (
                f"\n    to fix: {kit.one_line(g.change_request, 300)} — `{command} group request` opens it"
            )
        if g.status == "rejected" and g.reason:
            line += f"\n    reason: {kit.one_line(g.reason, 300)}"
        if g.status == "pending":
            if g.conflict == "open":
                line += "\n    the ambassadors are resolving an overlap with " + kit.one_line(g.overlap, 150)
            elif g.overlap:
                line += "\n    overlaps with " + kit.one_line(g.overlap, 150)
        if g.mentor:
            line += f"\n    mentor <@{g.mentor}>"
        if g.steps:
            done = sum(1 for s in g.steps if s.done)
            todo = ", ".join(escape(s.title) for s in g.steps if not s.done)
            line += f"\n    handover {done} of {len(g.steps)} done" + (
                f"; next: {kit.squeeze(todo, 300)}" if todo else ""
            )
        lines.append(line)
    text = "*Your user groups*\n" + "\n".join(lines)
    return text, [section(text)]
