"""The reject-reason modal was submitted."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.program.errors import InvalidInput, ProgramError
from handlers.slack import blocks
from handlers.slack.context import services, submission
from handlers.slack.home.publish import publish_home


async def on_submit(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    meta = submission(context).metadata
    app_id = meta.id("application_id")
    if app_id is None:
        await ack(
            response_action="update", view=blocks.notice_modal("This form is out of date; nothing changed.")
        )
        return
    reason = submission(context).values.get(blocks.REASON_BLOCK) or ""
    user = submission(context).user.id
    try:
        await services(context).applications.reject(
            app_id, user, reason, meta.text("channel"), meta.text("ts")
        )
    except InvalidInput as err:
        await ack(
            response_action="errors",
            errors={blocks.REASON_BLOCK: next(iter(err.fields.values()), err.message)},
        )
        return
    except ProgramError as err:
        await ack(response_action="update", view=blocks.notice_modal(err.message))
        return
    await ack()
    if not meta.text("channel"):  # the Reject button was in the Home tab: redraw its queue
        await publish_home(client, services(context), user)


def register(app: AsyncApp) -> None:
    app.view(blocks.REJECT_VIEW)(on_submit)
