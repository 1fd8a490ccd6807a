"""The nominee pressed "Open the application form" in their invitation DM."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.platforms.slack.parse import Click
from handlers.slack import kit
from handlers.slack.applications import views as application_views
from handlers.slack.blocks import Block
from handlers.slack.nominations.views import NOMINATION_APPLY


def _clicker(pressed: Click) -> str:
    return pressed.user.id


async def _check(p: kit.Press[str]) -> Block | None:
    await p.services.applications.can_apply(p.id)
    return None  # the form stays open


# As with `/ambassador apply`: the trigger_id expires 3 s after the click, so the form opens
# first and is replaced by the reason if this person cannot apply right now.
on_apply = kit.on_form_button(lambda _p: application_views.application_modal(), _check, carried=_clicker)


def register(app: AsyncApp) -> None:
    app.action(NOMINATION_APPLY)(on_apply)
