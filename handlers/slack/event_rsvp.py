"""RSVP buttons on a reminder: record the answer and refresh the counts on the message."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.program.errors import ProgramError
from bot.program.events import parse_occurrence_key
from handlers.slack import views_events
from handlers.slack.actions import STALE, tell
from handlers.slack.context import services


async def on_rsvp(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond,
    context: AsyncBoltContext,
) -> None:
    await ack()
    answer = str(action.get("action_id", "")).removeprefix(views_events.RSVP_PREFIX)
    try:
        series_part, occ_part = str(action.get("value", "")).split("|", 1)
        series_id, occ = int(series_part), parse_occurrence_key(occ_part)
    except ValueError:
        await tell(respond, STALE)
        return
    user = str((body.get("user") or {}).get("id", ""))
    events = services(context).events
    message = body.get("message") or {}
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
    # One answer at a time per occurrence: record it, read the counts and show them, so a slower
    # refresh can never overwrite a newer one with older counts.
    async with events.rsvp_lock(series_id, occ):
        try:
            counts = await events.rsvp(user, series_id, occ, answer)
        except ProgramError as err:
            await tell(respond, err.message)
            return
        if channel and message.get("ts") and message.get("blocks"):
            await client.chat_update(
                channel=channel,
                ts=message["ts"],
                text=message.get("text", ""),
                blocks=views_events.with_counts(message["blocks"], counts),
            )
    await tell(respond, f"Thanks, you answered “{views_events.RSVP_LABELS[answer]}”.")


def register(app: AsyncApp) -> None:
    app.action(re.compile(rf"^{views_events.RSVP_PREFIX}(going|maybe|no)$"))(on_rsvp)
