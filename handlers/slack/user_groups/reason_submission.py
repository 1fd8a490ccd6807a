"""The Reject / Needs changes modal was submitted."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext

from bot.program.errors import InvalidInput, ProgramError
from handlers.slack import blocks
from handlers.slack.context import services
from handlers.slack.forms import form_values
from handlers.slack.user_groups.views import REASON, REASON_VIEW, metadata


async def on_submit(
    ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], context: AsyncBoltContext
) -> None:
    meta = metadata(view)
    group_id = meta.get("group_id")
    if not isinstance(group_id, int) or meta.get("mode") not in ("reject", "changes"):
        await ack(
            response_action="update", view=blocks.notice_modal("This form is out of date; nothing changed.")
        )
        return
    text = form_values(view).get(REASON) or ""
    user = str((body.get("user") or {}).get("id", ""))
    groups = services(context).groups
    try:
        if meta["mode"] == "reject":
            result = await groups.reject(user, group_id, text, meta.get("channel"), meta.get("ts"))
            done = f"Rejected *{blocks.escape(result.title)}*; <@{result.requester}> gets your reason."
        else:
            result = await groups.request_changes(user, group_id, text, meta.get("channel"), meta.get("ts"))
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
