"""The application modal was submitted."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.program.applications import SubmitResult
from handlers.slack import blocks, kit
from handlers.slack.applications import views as application_views
from handlers.slack.blocks import Block


async def _submit(s: kit.Sent) -> SubmitResult:
    sent = s.submission
    return await s.services.applications.submit(sent.user.id, dict(sent.values), sent.user.name)


def _sent(result: SubmitResult, s: kit.Sent) -> Block:
    return blocks.notice_modal(
        f"Thank you! Application #{result.application_id} is with the moderators. You will get a direct "
        f"message when they decide; `{s.services.settings.slack.command} status` shows where it stands.",
        title="Application sent",
    )


on_submit = kit.on_submit(_submit, _sent)


def register(app: AsyncApp) -> None:
    app.view(application_views.APPLY_VIEW)(on_submit)
