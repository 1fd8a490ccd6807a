"""The Approve modal (mentor, forum group) was submitted."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext

from bot.program.errors import InvalidInput, ProgramError
from handlers.slack import blocks
from handlers.slack.context import services, submission
from handlers.slack.groups.views import APPROVE_VIEW, FORUM_GROUP, MENTOR


async def on_submit(
    ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], context: AsyncBoltContext
) -> None:
    meta = submission(context).metadata
    group_id = meta.id("group_id")
    if group_id is None:
        await ack(
            response_action="update", view=blocks.notice_modal("This form is out of date; nothing changed.")
        )
        return
    values = dict(submission(context).values)
    user = submission(context).user.id
    try:
        result = await services(context).groups.approve(
            user,
            group_id,
            values.get(MENTOR) or "",
            values.get(FORUM_GROUP) or "",
            meta.text("channel"),
            meta.text("ts"),
        )
    except InvalidInput as err:
        if err.fields:
            await ack(response_action="errors", errors=err.fields)
        else:
            await ack(response_action="update", view=blocks.notice_modal(err.message))
        return
    except ProgramError as err:
        await ack(response_action="update", view=blocks.notice_modal(err.message))
        return
    await ack(
        response_action="update",
        view=blocks.notice_modal(
            f"Approved *{blocks.escape(result.title)}* with <@{result.mentor}> as mentor. The requester and "
            "the mentor are told, and the handover checklist is posted in the review channel.",
            title="Group approved",
        ),
    )


def register(app: AsyncApp) -> None:
    app.view(APPROVE_VIEW)(on_submit)
