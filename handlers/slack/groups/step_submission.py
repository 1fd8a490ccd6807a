"""The link for a handover step (e.g. the logo) was submitted."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext

from bot.program.errors import InvalidInput, ProgramError
from handlers.slack import blocks
from handlers.slack.context import services, submission
from handlers.slack.groups.step import step_done_message
from handlers.slack.groups.views import STEP_VIEW, VALUE


async def on_submit(
    ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], context: AsyncBoltContext
) -> None:
    meta = submission(context).metadata
    group_id, key = meta.id("group_id"), meta.text("key")
    if group_id is None or key is None:
        await ack(
            response_action="update", view=blocks.notice_modal("This form is out of date; nothing changed.")
        )
        return
    user = submission(context).user.id
    try:
        result = await services(context).groups.complete_step(
            user, group_id, key, submission(context).values.get(VALUE), meta.text("channel"), meta.text("ts")
        )
    except InvalidInput as err:
        await ack(response_action="errors", errors={VALUE: next(iter(err.fields.values()), err.message)})
        return
    except ProgramError as err:
        await ack(response_action="update", view=blocks.notice_modal(err.message))
        return
    await ack(
        response_action="update", view=blocks.notice_modal(step_done_message(result), title="Step done")
    )


def register(app: AsyncApp) -> None:
    app.view(STEP_VIEW)(on_submit)
