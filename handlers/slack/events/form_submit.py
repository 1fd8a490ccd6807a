"""The add/edit event series form was submitted."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext

from bot.program.errors import InvalidInput, ProgramError
from handlers.slack import blocks
from handlers.slack.context import services, submission
from handlers.slack.events import views as views_events

# A Slack user id (https://api.slack.com/changelog/2016-08-11-user-id-format-changes): what a
# users_select sends; anything else is a forged submission.
_USER_ID = re.compile(r"[UW][A-Z0-9]{2,20}")


async def on_submit(
    ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], context: AsyncBoltContext
) -> None:
    sent = submission(context)
    user = sent.user.id
    editing = sent.private_metadata or None
    fields = {k: (v or "") for k, v in sent.values.items()}
    not_users = {
        k: "Pick a person from the list."
        for k in views_events.USER_FIELDS
        if fields.get(k) and not _USER_ID.fullmatch(fields[k])
    }
    if not_users:
        await ack(response_action="errors", errors=not_users)
        return
    try:
        series = await services(context).events.save_series(user, fields, key=editing)
    except InvalidInput as err:
        shown = {k: v for k, v in err.fields.items() if k in {f[0] for f in views_events.EVENT_FIELDS}}
        await ack(response_action="errors", errors=shown or {"title": err.message})
        return
    except ProgramError as err:
        await ack(response_action="update", view=blocks.notice_modal(err.message))
        return
    await ack(
        response_action="update",
        view=blocks.notice_modal(f"Saved “{series.title}” (`{series.key}`). `/ambassador events` lists it."),
    )


def register(app: AsyncApp) -> None:
    app.view(views_events.EVENT_VIEW)(on_submit)
