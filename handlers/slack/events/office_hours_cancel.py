"""The Cancel booking button."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.program.events.office_hours import BookingResult
from handlers.slack import kit
from handlers.slack.events import views as views_events


async def _cancel(p: kit.Press[int]) -> BookingResult:
    return await p.services.events.cancel_booking(p.target.user, p.id)


def _cancelled(cancelled: BookingResult, p: kit.Press[int]) -> str:
    at = views_events.when(cancelled.start, cancelled.timezone)
    return f"Cancelled your slot of {cancelled.title} on {at}."


on_cancel = kit.on_button(_cancel, _cancelled, home=False, modal_fallback=False)


def register(app: AsyncApp) -> None:
    app.action(views_events.CANCEL_BOOKING)(on_cancel)
