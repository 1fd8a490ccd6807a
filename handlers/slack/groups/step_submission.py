"""The link for a handover step (e.g. the logo) was submitted."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.program.groups import StepResult
from bot.program.messages import slack_message
from handlers.slack import blocks, kit
from handlers.slack.blocks import Block
from handlers.slack.groups.step import step_done_message
from handlers.slack.groups.views import STEP_VIEW, VALUE


async def _complete(s: kit.Sent) -> StepResult:
    meta = s.submission.metadata
    group_id, key = meta.id("group_id"), meta.text("key")
    if group_id is None or key is None:
        raise kit.OutOfDate
    value = s.submission.values.get(VALUE)
    return await s.services.groups.complete_step(
        s.user, group_id, key, value, slack_message(meta.text("channel"), meta.text("ts"))
    )


def _done(result: StepResult, s: kit.Sent) -> Block:
    return blocks.notice_modal(step_done_message(result), title="Step done")


on_submit = kit.on_submit(_complete, _done, errors=kit.in_block(VALUE))


def register(app: AsyncApp) -> None:
    app.view(STEP_VIEW)(on_submit)
