"""The Book button next to a free office-hours slot."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond

from bot.program.errors import ProgramError
from handlers.slack.context import click, services
from handlers.slack.events import views as views_events
from handlers.slack.inbound import series_slot
from handlers.slack.kit import STALE, tell


async def on_book(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    respond: AsyncRespond,
    context: AsyncBoltContext,
) -> None:
    await ack()
    pressed = click(context)
    value = series_slot(pressed.action.value)
    if value is None:
        await tell(respond, STALE)
        return
    series_id, slot = value
    user = pressed.user.id
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
