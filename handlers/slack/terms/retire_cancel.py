"""The ambassador changed their mind about stepping down."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond

from handlers.slack.terms.views import RETIRE_CANCEL


async def on_cancel(ack: AsyncAck, respond: AsyncRespond | None) -> None:
    await ack()
    if respond is not None and respond.response_url:
        await respond(
            text="Glad you're staying! Nothing was changed.", response_type="ephemeral", replace_original=True
        )


def register(app: AsyncApp) -> None:
    app.action(RETIRE_CANCEL)(on_cancel)
