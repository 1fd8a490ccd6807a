"""The ambassador confirmed stepping down."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.program.errors import ProgramError
from handlers.slack.context import click, services
from handlers.slack.kit import STALE, action_target, tell
from handlers.slack.terms.views import RETIRE_CONFIRM


async def on_confirm(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond | None,
    context: AsyncBoltContext,
) -> None:
    await ack()
    target = action_target(click(context))
    if target.app_id is None:
        await tell(respond, STALE, client=client, body=body)
        return
    try:
        await services(context).lifecycle.retire(target.user, target.app_id)
    except ProgramError as err:
        await tell(respond, err.message, client=client, body=body)
        return
    text = (
        "Your term has ended: you are now an alumnus of the program. Thank you for everything you did! "
        "The moderators have been told. You can apply again any time."
    )
    if respond is not None and respond.response_url:
        await respond(text=text, response_type="ephemeral", replace_original=True)
    else:
        await tell(respond, text, client=client, body=body)


def register(app: AsyncApp) -> None:
    app.action(RETIRE_CONFIRM)(on_confirm)
