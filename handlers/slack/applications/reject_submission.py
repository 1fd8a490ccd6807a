"""The reject-reason modal was submitted."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from handlers.slack import blocks, kit


async def _reject(s: kit.Sent) -> None:
    meta = s.submission.metadata
    app_id = meta.id("application_id")
    if app_id is None:
        raise kit.OutOfDate
    reason = s.submission.values.get(blocks.REASON_BLOCK) or ""
    await s.services.applications.reject(app_id, s.user, reason, meta.text("channel"), meta.text("ts"))


async def _redraw(_result: None, s: kit.Sent) -> None:
    if not s.submission.metadata.text("channel"):  # the Reject button was in the Home tab
        await kit.redraw_home(s)


on_submit = kit.on_submit(
    _reject, lambda _result, _s: None, errors=kit.in_block(blocks.REASON_BLOCK), after=_redraw
)


def register(app: AsyncApp) -> None:
    app.view(blocks.REJECT_VIEW)(on_submit)
