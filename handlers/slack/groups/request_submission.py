"""The user group request form was submitted."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.program.groups import SubmitResult
from handlers.slack import kit
from handlers.slack.blocks import Block
from handlers.slack.groups.views import REQUEST_VIEW, SLACK_ORGANISERS, submitted_notice


async def _submit(s: kit.Sent) -> SubmitResult:
    sent = s.submission
    return await s.services.groups.submit(
        s.user, dict(sent.values), list(sent.multi.get(SLACK_ORGANISERS, ()))
    )


def _sent(result: SubmitResult, s: kit.Sent) -> Block:
    return submitted_notice(result, s.services.settings.slack.command)


on_submit = kit.on_submit(_submit, _sent)


def register(app: AsyncApp) -> None:
    app.view(REQUEST_VIEW)(on_submit)
