"""Someone pressed Done on a step of the official group handover checklist."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.program.errors import ProgramError
from bot.program.groups import StepResult
from handlers.slack import blocks
from handlers.slack.context import click, services
from handlers.slack.groups.views import STEP, loading, step_modal
from handlers.slack.inbound import ident
from handlers.slack.kit import STALE, action_target, tell


def parse_value(value: str) -> tuple[int, str] | None:
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
            f"way to {result.leaders} leader(s); the review channel gets the delivery report."
        )
    return text


async def on_step(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond | None,
    context: AsyncBoltContext,
) -> None:
    await ack()
    target = action_target(click(context))
    parsed = parse_value(click(context).action.value or "")
    if parsed is None:
        await tell(respond, STALE, client=client, body=body)
        return
    group_id, key = parsed
    svc = services(context)
    configured = next((s for s in svc.settings.groups.handover if s.key == key), None)
    if configured is not None and configured.needs == "link":
        # This step asks for a link: the modal opens at once (trigger_id), the checks follow.
        opened = await client.views_open(trigger_id=click(context).trigger_id, view=loading("Handover step"))
        view_id, view_hash = opened["view"]["id"], opened["view"].get("hash")
        try:
            title, _needs = await svc.groups.step_needs(target.user, group_id, key)
        except ProgramError as err:
            await client.views_update(view_id=view_id, hash=view_hash, view=blocks.notice_modal(err.message))
            return
        await client.views_update(
            view_id=view_id,
            hash=view_hash,
            view=step_modal(group_id, key, title, target.channel, target.message_ts),
        )
        return
    try:
        result = await svc.groups.complete_step(
            target.user, group_id, key, None, target.channel, target.message_ts
        )
    except ProgramError as err:
        await tell(respond, err.message, client=client, body=body)
        return
    await tell(respond, step_done_message(result), client=client, body=body)


def register(app: AsyncApp) -> None:
    app.action(STEP)(on_step)
