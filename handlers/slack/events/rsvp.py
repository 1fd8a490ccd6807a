"""RSVP buttons on a reminder: record the answer and refresh the counts on the message."""

from __future__ import annotations

import re
from datetime import datetime

from slack_bolt.async_app import AsyncApp

from bot.platforms.slack.parse import series_slot
from handlers.slack import kit
from handlers.slack.events import views as views_events

Slot = tuple[int, datetime]  # the series id and the occurrence the button is for


def _answer(p: kit.Press[Slot]) -> str:
    return p.click.action.action_id.removeprefix(views_events.RSVP_PREFIX)


async def _rsvp(p: kit.Press[Slot]) -> None:
    series_id, occ = p.id
    events = p.services.events
    pressed = p.click
    # One answer at a time per occurrence: record it, read the counts and show them, so a slower
    # refresh can never overwrite a newer one with older counts.
    async with events.rsvp_lock(series_id, occ):
        counts = await events.rsvp(p.target.user, series_id, occ, _answer(p))
        if pressed.channel_id and pressed.message_ts and pressed.message_blocks:
            await p.client.chat_update(
                channel=pressed.channel_id,
                ts=pressed.message_ts,
                text=pressed.message_text,
                blocks=views_events.with_counts(pressed.message_blocks, counts),
            )


def _answered(_result: None, p: kit.Press[Slot]) -> str:
    return f"Thanks, you answered “{views_events.RSVP_LABELS[_answer(p)]}”."


# From the Home tab (no message to update, no response_url): the tab is redrawn with the answer,
# and the thanks or a refusal opens as a small modal, as for the tab's other buttons.
on_rsvp = kit.on_button(_rsvp, _answered, carried=lambda c: series_slot(c.action.value))


def register(app: AsyncApp) -> None:
    app.action(re.compile(rf"^{views_events.RSVP_PREFIX}(going|maybe|no)$"))(on_rsvp)
