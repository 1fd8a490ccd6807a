"""A request form (hardware, expense, swag) was submitted."""

from __future__ import annotations

from collections.abc import Mapping

from slack_bolt.async_app import AsyncApp

from bot.program.errors import InvalidInput
from bot.program.requests import SubmitResult
from handlers.slack import blocks, kit
from handlers.slack.blocks import Block
from handlers.slack.requests import views as views_requests


async def _submit(s: kit.Sent) -> SubmitResult:
    sent = s.submission
    kind = sent.metadata.text("kind") or ""
    return await s.services.requests.submit(sent.user.id, kind, dict(sent.values), sent.files, sent.user.name)


def _errors(err: InvalidInput, s: kit.Sent) -> Mapping[str, str]:
    """Only errors beside a field the form has; any other is told in a notice."""
    return {k: v for k, v in err.fields.items() if k in s.submission.input_blocks}


def _sent(result: SubmitResult, s: kit.Sent) -> Block:
    two = " It needs two moderators' approval." if result.approvals_needed > 1 else ""
    return blocks.notice_modal(
        f"Thank you! Your request is *{result.reference}*; quote it when you ask about it. "
        f"The moderators review it and you'll get a direct message at every step.{two} "
        f"`{s.services.settings.slack.command} requests` shows where it stands.",
        title="Request sent",
    )


on_submit = kit.on_submit(_submit, _sent, errors=_errors)


def register(app: AsyncApp) -> None:
    app.view(views_requests.REQUEST_VIEW)(on_submit)
