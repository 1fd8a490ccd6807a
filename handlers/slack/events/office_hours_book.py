"""The Book button next to a free office-hours slot."""

from __future__ import annotations

from datetime import datetime

from slack_bolt.async_app import AsyncApp

from bot.platforms.slack.parse import series_slot
from bot.program.events.office_hours import BookingResult
from handlers.slack import kit
from handlers.slack.events import views as views_events


async def _book(p: kit.Press[tuple[int, datetime]]) -> BookingResult:
    series_id, slot = p.id
    return await p.services.events.book(p.target.user, series_id, slot)


def _booked(booked: BookingResult, p: kit.Press[tuple[int, datetime]]) -> str:
    return (
        f"Booked: {booked.title}, {views_events.when(booked.start, booked.timezone)} ({booked.minutes} min). "
        "You and the host get a message and a reminder before it."
    )


on_book = kit.on_button(
    _book, _booked, carried=lambda c: series_slot(c.action.value), home=False, modal_fallback=False
)


def register(app: AsyncApp) -> None:
    app.action(views_events.BOOK)(on_book)
