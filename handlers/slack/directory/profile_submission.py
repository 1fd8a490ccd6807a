"""The directory profile modal was submitted."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext

from bot.program.errors import InvalidInput, ProgramError
from handlers.slack import blocks
from handlers.slack.context import services, submission
from handlers.slack.directory.views import PROFILE_VIEW


async def on_submit(
    ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], context: AsyncBoltContext
) -> None:
    svc = services(context)
    sent = submission(context)
    try:
        result = await svc.profiles.save(sent.user.id, dict(sent.values), sent.user.name)
    except InvalidInput as err:
        if err.fields:
            await ack(response_action="errors", errors=err.fields)
        else:
            await ack(response_action="update", view=blocks.notice_modal(err.message))
        return
    except ProgramError as err:
        await ack(response_action="update", view=blocks.notice_modal(err.message))
        return
    note = " Your onboarding step “profile” is done." if result.step_completed else ""
    await ack(
        response_action="update",
        view=blocks.notice_modal(
            f"Saved. People can now find you with `{svc.settings.slack.command} find`.{note}",
            title="Profile saved",
        ),
    )


def register(app: AsyncApp) -> None:
    app.view(PROFILE_VIEW)(on_submit)
