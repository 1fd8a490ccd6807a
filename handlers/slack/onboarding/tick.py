"""A moderator pressed Done on a moderator's step in someone's checklist."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.platforms.slack.parse import Click
from bot.program.onboarding.steps import StepResult
from handlers.slack import kit
from handlers.slack.onboarding import views as onboarding_views

Tick = tuple[str, str]  # whose step (Slack user id), which step


def _carried(pressed: Click) -> Tick | None:
    return onboarding_views.parse_tick(pressed.action.value or "")


async def _tick(p: kit.Press[Tick]) -> StepResult:
    user, key = p.id
    return await p.services.onboarding.complete_by_moderator(p.target.user, user, key)


def _ticked(result: StepResult, p: kit.Press[Tick]) -> str:
    return onboarding_views.step_ticked_message(result, p.id[0])


on_tick = kit.on_button(_tick, _ticked, carried=_carried)


def register(app: AsyncApp) -> None:
    app.action(onboarding_views.MODERATOR_TICK)(on_tick)
