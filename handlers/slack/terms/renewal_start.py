"""The Renew button in a renewal reminder opens the renewal form."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.platforms.slack.parse.interactions import Click
from handlers.slack import kit
from handlers.slack.blocks import Block
from handlers.slack.events import views as views_events


def _clicker(pressed: Click) -> str:
    return pressed.user.id


async def _form_stays(_p: kit.Press[str]) -> Block | None:
    return None  # whether this person may renew is checked when the form is sent


# The trigger_id expires 3 s after the click: the form opens first, with nothing looked up.
on_renew = kit.on_form_button(lambda _p: views_events.renewal_modal(), _form_stays, carried=_clicker)


def register(app: AsyncApp) -> None:
    app.action(views_events.RENEW)(on_renew)
