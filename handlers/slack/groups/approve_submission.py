"""The Approve modal (mentor, forum group) was submitted."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.program.groups import Decision
from bot.program.messages import slack_message
from handlers.slack import blocks, kit
from handlers.slack.blocks import Block
from handlers.slack.groups.views import APPROVE_VIEW, FORUM_GROUP, MENTOR


async def _approve(s: kit.Sent) -> Decision:
    meta = s.submission.metadata
    group_id = meta.id("group_id")
    if group_id is None:
        raise kit.OutOfDate
    values = s.submission.values
    return await s.services.groups.approve(
        s.user,
        group_id,
        values.get(MENTOR) or "",
        values.get(FORUM_GROUP) or "",
        slack_message(meta.text("channel"), meta.text("ts")),
    )


def _approved(result: Decision, s: kit.Sent) -> Block:
    return blocks.notice_modal(
        f"Approved *{blocks.escape(result.title)}* with <@{result.mentor}> as mentor. The requester and "
        "the mentor are told, and the handover checklist is posted in the review channel.",
        title="Group approved",
    )


on_submit = kit.on_submit(_approve, _approved)


def register(app: AsyncApp) -> None:
    app.view(APPROVE_VIEW)(on_submit)
