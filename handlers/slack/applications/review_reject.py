"""A moderator pressed Reject: ask for the reason in a modal."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from handlers.slack import kit
from handlers.slack.applications import views as application_views


async def _open_reason(p: kit.Press[int]) -> None:
    # Fast checks only (moderator list, one indexed read) so the trigger_id is still fresh.
    await p.services.applications.ensure_moderator(p.target.user, p.id)
    await p.client.views_open(
        trigger_id=p.click.trigger_id,
        view=application_views.reject_modal(p.id, p.target.channel, p.target.message_ts),
    )


on_reject = kit.on_button(_open_reason, lambda _result, _p: None, home=False)


def register(app: AsyncApp) -> None:
    app.action(application_views.REJECT)(on_reject)
