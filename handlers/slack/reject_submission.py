"""The reject-reason modal was submitted."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.program.errors import InvalidInput, ProgramError
from handlers.slack import blocks
from handlers.slack.context import services
from handlers.slack.forms import form_values
from handlers.slack.home_publish import publish_home


def _metadata(view: dict[str, Any]) -> dict[str, Any]:
    try:
        data = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


async def on_submit(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    meta = _metadata(view)
    app_id = meta.get("application_id")
    if not isinstance(app_id, int):
        await ack(
            response_action="update", view=blocks.notice_modal("This form is out of date; nothing changed.")
        )
        return
    reason = form_values(view).get(blocks.REASON_BLOCK) or ""
    user = str((body.get("user") or {}).get("id", ""))
    try:
        await services(context).applications.reject(app_id, user, reason, meta.get("channel"), meta.get("ts"))
    except InvalidInput as err:
        await ack(
            response_action="errors",
            errors={blocks.REASON_BLOCK: next(iter(err.fields.values()), err.message)},
        )
        return
    except ProgramError as err:
        await ack(response_action="update", view=blocks.notice_modal(err.message))
        return
    await ack()
    if not meta.get("channel"):  # the Reject button was in the Home tab: redraw its queue
        await publish_home(client, services(context), user)


def register(app: AsyncApp) -> None:
    app.view(blocks.REJECT_VIEW)(on_submit)
