"""The welcome DM's "I have read the guidelines" button, and the checklist's Done on a step the
ambassador completes (both carry the step's key)."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.platforms.slack.parse import Click
from bot.program.onboarding.steps import StepResult
from bot.program.text import plural
from handlers.slack import kit
from handlers.slack.onboarding import views as onboarding_views


def _step(pressed: Click) -> str:
    return pressed.action.value or ""


async def _complete(p: kit.Press[str]) -> StepResult:
    return await p.services.onboarding.complete_by_button(p.target.user, p.id)


def _done(result: StepResult, p: kit.Press[str]) -> str:
    if result.newly_completed:
        return f"Thanks! “{result.title}” is done. {plural(result.remaining, 'onboarding step')} to go."
    return f"“{result.title}” was already done."


on_ack = kit.on_button(_complete, _done, carried=_step)


def register(app: AsyncApp) -> None:
    app.action(onboarding_views.ACK_GUIDELINES)(on_ack)
    app.action(onboarding_views.STEP_DONE)(on_ack)
