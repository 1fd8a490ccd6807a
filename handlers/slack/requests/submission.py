"""A request form (hardware, expense, swag) was submitted."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext

from bot.program.errors import InvalidInput, ProgramError
from handlers.slack import blocks
from handlers.slack.context import services, submission
from handlers.slack.requests import views as views_requests


async def on_submit(
    ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], context: AsyncBoltContext
) -> None:
    svc = services(context)
    sent = submission(context)
    kind = sent.metadata.text("kind") or ""
    try:
        result = await svc.requests.submit(sent.user.id, kind, dict(sent.values), sent.files, sent.user.name)
    except InvalidInput as err:
        errors = {k: v for k, v in err.fields.items() if k in sent.input_blocks}
        if errors:
            await ack(response_action="errors", errors=errors)
        else:
            await ack(response_action="update", view=blocks.notice_modal(err.message))
        return
    except ProgramError as err:
        await ack(response_action="update", view=blocks.notice_modal(err.message))
        return
    two = " It needs two moderators' approval." if result.approvals_needed > 1 else ""
    await ack(
        response_action="update",
        view=blocks.notice_modal(
            f"Thank you! Your request is *{result.reference}*; quote it when you ask about it. "
            f"The moderators review it and you'll get a direct message at every step.{two} "
            f"`{svc.settings.slack.command} requests` shows where it stands.",
            title="Request sent",
        ),
    )


def register(app: AsyncApp) -> None:
    app.view(views_requests.REQUEST_VIEW)(on_submit)
