"""The Book button next to a free office-hours slot."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond

from bot.program.errors import ProgramError
from bot.program.events import parse_occurrence_key
from handlers.slack import views_events
from handlers.slack.actions import STALE, tell
from handlers.slack.context import services


async def on_book(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    respond: AsyncRespond,
    context: AsyncBoltContext,
) -> None:
    await ack()
    try:
        series_part, slot_part = str(action.get("value", "")).split("|", 1)
        series_id, slot = int(series_part), parse_occurrence_key(slot_part)
    except ValueError:
        await tell(respond, STALE)
        return
    user = str((body.get("user") or {}).get("id", ""))
    try:
        booked = await services(context).events.book(user, series_id, slot)
    except ProgramError as err:
        await tell(respond, err.message)
        return
    await tell(
        respond,
        f"Booked: {booked.title}, {views_events.when(booked.start)} ({booked.minutes} min). "
        "You and the host get a message and a reminder before it.",
    )


def register(app: AsyncApp) -> None:
    app.action(views_events.BOOK)(on_book)
