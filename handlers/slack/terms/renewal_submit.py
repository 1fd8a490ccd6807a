"""The renewal form was submitted."""

from __future__ import annotations

from collections.abc import Mapping

from slack_bolt.async_app import AsyncApp

from bot.program.applications import SubmitResult
from bot.program.errors import InvalidInput
from handlers.slack import blocks, kit
from handlers.slack.blocks import Block
from handlers.slack.events import views as views_events


async def _submit(s: kit.Sent) -> SubmitResult:
    return await s.services.applications.submit_renewal(s.user, dict(s.submission.values))


def _errors(err: InvalidInput, s: kit.Sent) -> Mapping[str, str]:
    return err.fields or {"plans": err.message}


def _sent(result: SubmitResult, s: kit.Sent) -> Block:
    note = (
        "Your term is renewed — check your messages."
        if s.services.settings.renewals.auto_approve
        else f"Renewal #{result.application_id} is with the moderators; you'll hear when they decide."
    )
    return blocks.notice_modal(note, title="Renewal sent")


on_submit = kit.on_submit(_submit, _sent, errors=_errors)


def register(app: AsyncApp) -> None:
    app.view(views_events.RENEWAL_VIEW)(on_submit)
