"""The user group request form was submitted."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext

from bot.program.errors import InvalidInput, ProgramError
from handlers.slack import blocks
from handlers.slack.context import services, submission
from handlers.slack.groups.views import REQUEST_VIEW, SLACK_ORGANISERS, submitted_notice


async def on_submit(
    ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], context: AsyncBoltContext
) -> None:
    svc = services(context)
    sent = submission(context)
    user = sent.user.id
    try:
        result = await svc.groups.submit(user, dict(sent.values), list(sent.multi.get(SLACK_ORGANISERS, ())))
    except InvalidInput as err:
        if err.fields:
            await ack(response_action="errors", errors=err.fields)
        else:
            await ack(response_action="update", view=blocks.notice_modal(err.message))
        return
    except ProgramError as err:
        await ack(response_action="update", view=blocks.notice_modal(err.message))
        return
    await ack(response_action="update", view=submitted_notice(result, svc.settings.slack.command))


def register(app: AsyncApp) -> None:
    app.view(REQUEST_VIEW)(on_submit)
