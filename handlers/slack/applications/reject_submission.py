"""The reject-reason modal was submitted."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.program.messages import slack_message
from handlers.slack import kit
from handlers.slack.applications import views as application_views


async def _reject(s: kit.Sent) -> None:
    meta = s.submission.metadata
    app_id = meta.id("application_id")
    if app_id is None:
        raise kit.OutOfDate
    reason = s.submission.values.get(application_views.REASON_BLOCK) or ""
    await s.services.applications.reject(
        app_id, s.user, reason, slack_message(meta.text("channel"), meta.text("ts"))
    )


async def _redraw(_result: None, s: kit.Sent) -> None:
    if not s.submission.metadata.text("channel"):  # the Reject button was in the Home tab
        await kit.redraw_home(s)


on_submit = kit.on_submit(
    _reject, lambda _result, _s: None, errors=kit.in_block(application_views.REASON_BLOCK), after=_redraw
)


def register(app: AsyncApp) -> None:
    app.view(application_views.REJECT_VIEW)(on_submit)
