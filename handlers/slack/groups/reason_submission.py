"""The Reject / Needs changes modal was submitted."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext

from bot.program.errors import InvalidInput, ProgramError
from handlers.slack import blocks
from handlers.slack.context import services, submission
from handlers.slack.groups.views import REASON, REASON_VIEW


async def on_submit(
    ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], context: AsyncBoltContext
) -> None:
    meta = submission(context).metadata
    group_id = meta.id("group_id")
    if group_id is None or meta.text("mode") not in ("reject", "changes"):
        await ack(
            response_action="update", view=blocks.notice_modal("This form is out of date; nothing changed.")
        )
        return
    text = dict(submission(context).values).get(REASON) or ""
    user = submission(context).user.id
    groups = services(context).groups
    try:
        if meta.text("mode") == "reject":
            result = await groups.reject(user, group_id, text, meta.text("channel"), meta.text("ts"))
            done = f"Rejected *{blocks.escape(result.title)}*; <@{result.requester}> gets your reason."
        else:
            result = await groups.request_changes(user, group_id, text, meta.text("channel"), meta.text("ts"))
            done = f"<@{result.requester}> is asked to change *{blocks.escape(result.title)}*."
    except InvalidInput as err:
        await ack(response_action="errors", errors={REASON: next(iter(err.fields.values()), err.message)})
        return
    except ProgramError as err:
        await ack(response_action="update", view=blocks.notice_modal(err.message))
        return
    await ack(response_action="update", view=blocks.notice_modal(done, title="Done"))


def register(app: AsyncApp) -> None:
    app.view(REASON_VIEW)(on_submit)
