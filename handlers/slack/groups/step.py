"""Someone pressed Done on a step of the official group handover checklist."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.platforms.slack.parse import Click, ident
from bot.program.groups import StepResult
from bot.program.messages import slack_message
from bot.program.text import plural
from handlers.slack import kit
from handlers.slack.blocks import Block
from handlers.slack.groups.views import STEP, loading, step_modal

Step = tuple[int, str]  # the group id and the step key


def parse_value(value: str) -> Step | None:
    """The button's value is "<group id>:<step key>"."""
    group, _, key = value.partition(":")
    group_id = ident(group)
    if group_id is None or not key or len(key) > 40:
        return None
    return group_id, key


def step_done_message(result: StepResult) -> str:
    text = f"Done: “{result.step}” for {result.title} ({result.done} of {result.total})."
    if result.official:
        text += (
            f" That was the last step: {result.title} is official, and the recognition message is on its "
            f"way to {plural(result.leaders, 'leader')}; the review channel gets the delivery report."
        )
    return text


def _carried(pressed: Click) -> Step | None:
    return parse_value(pressed.action.value or "")


async def _complete(p: kit.Press[Step]) -> StepResult:
    group_id, key = p.id
    return await p.services.groups.complete_step(
        p.target.user, group_id, key, None, slack_message(p.target.channel, p.target.message_ts)
    )


async def _link_form(p: kit.Press[Step]) -> Block:
    group_id, key = p.id
    title, _needs = await p.services.groups.step_needs(p.target.user, group_id, key)
    return step_modal(group_id, key, title, p.target.channel, p.target.message_ts)


_done = kit.answering(_complete, lambda result, _p: step_done_message(result), home=False)
# A step that asks for a link: the modal opens at once (trigger_id), the checks follow.
_ask_link = kit.opening(lambda _p: loading("Handover step"), _link_form)


async def _route(p: kit.Press[Step]) -> None:
    """A step that needs a link opens its form; any other is done at once."""
    configured = next((s for s in p.services.settings.groups.handover if s.key == p.id[1]), None)
    await (_ask_link if configured is not None and configured.needs == "link" else _done)(p)


on_step = kit.on_press(_carried, _route)


def register(app: AsyncApp) -> None:
    app.action(STEP)(on_step)
