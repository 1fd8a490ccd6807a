"""The Reject / Needs changes modal was submitted."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.program.messages import slack_message
from handlers.slack import blocks, kit
from handlers.slack.blocks import Block
from handlers.slack.groups.views import REASON, REASON_VIEW


async def _decide(s: kit.Sent) -> str:
    meta = s.submission.metadata
    group_id, mode = meta.id("group_id"), meta.text("mode")
    if group_id is None or mode not in ("reject", "changes"):
        raise kit.OutOfDate
    text = s.submission.values.get(REASON) or ""
    ref = slack_message(meta.text("channel"), meta.text("ts"))
    groups = s.services.groups
    if mode == "reject":
        result = await groups.reject(s.user, group_id, text, ref)
        return f"Rejected *{blocks.escape(result.title)}*; <@{result.requester}> gets your reason."
    result = await groups.request_changes(s.user, group_id, text, ref)
    return f"<@{result.requester}> is asked to change *{blocks.escape(result.title)}*."


def _done(done: str, s: kit.Sent) -> Block:
    return blocks.notice_modal(done, title="Done")


on_submit = kit.on_submit(_decide, _done, errors=kit.in_block(REASON))


def register(app: AsyncApp) -> None:
    app.view(REASON_VIEW)(on_submit)
