"""The renewal form was submitted."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext

from bot.program.errors import InvalidInput, ProgramError
from handlers.slack import blocks
from handlers.slack.context import services, submission
from handlers.slack.events import views as views_events


async def on_submit(
    ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], context: AsyncBoltContext
) -> None:
    svc = services(context)
    user = submission(context).user.id
    try:
        result = await svc.applications.submit_renewal(user, dict(submission(context).values))
    except InvalidInput as err:
        await ack(response_action="errors", errors=err.fields or {"plans": err.message})
        return
    except ProgramError as err:
        await ack(response_action="update", view=blocks.notice_modal(err.message))
        return
    note = (
        "Your term is renewed — check your messages."
        if svc.settings.renewals.auto_approve
        else f"Renewal #{result.application_id} is with the moderators; you'll hear when they decide."
    )
    await ack(response_action="update", view=blocks.notice_modal(note, title="Renewal sent"))


def register(app: AsyncApp) -> None:
    app.view(views_events.RENEWAL_VIEW)(on_submit)
