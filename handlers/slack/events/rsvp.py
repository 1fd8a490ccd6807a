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
from handlers.slack.context import click, services
from handlers.slack.events import views as views_events
from handlers.slack.inbound import series_slot
from handlers.slack.kit import STALE, tell


async def on_rsvp(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond,
    context: AsyncBoltContext,
) -> None:
    await ack()
    pressed = click(context)
    answer = pressed.action.action_id.removeprefix(views_events.RSVP_PREFIX)
    value = series_slot(pressed.action.value)
    if value is None:
        await tell(respond, STALE)
        return
    series_id, occ = value
    user = pressed.user.id
    events = services(context).events
    channel = pressed.channel_id
    # One answer at a time per occurrence: record it, read the counts and show them, so a slower
    # refresh can never overwrite a newer one with older counts.
    async with events.rsvp_lock(series_id, occ):
        try:
            counts = await events.rsvp(user, series_id, occ, answer)
        except ProgramError as err:
            await tell(respond, err.message)
            return
        if channel and pressed.message_ts and pressed.message_blocks:
            await client.chat_update(
                channel=channel,
                ts=pressed.message_ts,
                text=pressed.message_text,
                blocks=views_events.with_counts(pressed.message_blocks, counts),
            )
    await tell(respond, f"Thanks, you answered “{views_events.RSVP_LABELS[answer]}”.")


def register(app: AsyncApp) -> None:
    app.action(re.compile(rf"^{views_events.RSVP_PREFIX}(going|maybe|no)$"))(on_rsvp)
