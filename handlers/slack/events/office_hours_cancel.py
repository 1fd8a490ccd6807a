"""The Cancel booking button."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond

from bot.program.errors import ProgramError
from handlers.slack.context import click, services
from handlers.slack.events import views as views_events
from handlers.slack.kit import STALE, tell


async def on_cancel(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    respond: AsyncRespond,
    context: AsyncBoltContext,
) -> None:
    await ack()
    pressed = click(context)
    booking_id = pressed.value_id
    if booking_id is None:
        await tell(respond, STALE)
        return
    user = pressed.user.id
    try:
        cancelled = await services(context).events.cancel_booking(user, booking_id)
    except ProgramError as err:
        await tell(respond, err.message)
        return
    await tell(respond, f"Cancelled your slot of {cancelled.title} on {views_events.when(cancelled.start)}.")


def register(app: AsyncApp) -> None:
    app.action(views_events.CANCEL_BOOKING)(on_cancel)
