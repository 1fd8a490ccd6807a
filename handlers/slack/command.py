"""The slash command: one entry point, subcommands parsed by the shared command parser."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.program.commands import parse
from bot.program.errors import ProgramError
from handlers.slack import blocks
from handlers.slack.context import services


async def on_command(
    ack: AsyncAck, command: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    svc = services(context)
    name = svc.settings.slack.command
    parsed = parse(command.get("text"))
    user = str(command.get("user_id", ""))
    if parsed.name == "apply":
        # Slack's trigger_id dies 3 s after the click: acknowledge and open the modal before any
        # database work; if the person cannot apply, the open modal is replaced with the reason.
        await ack()
        opened = await client.views_open(trigger_id=command["trigger_id"], view=blocks.application_modal())
        try:
            await svc.applications.can_apply(user)
        except ProgramError as err:
            await client.views_update(
                view_id=opened["view"]["id"],
                hash=opened["view"].get("hash"),
                view=blocks.notice_modal(err.message),
            )
        return
    if parsed.name == "status":
        text, blk = blocks.status_message(await svc.applications.status(user), name)
        await ack(text=text, blocks=blk, response_type="ephemeral")
        return
    text, blk = blocks.help_message(name, parsed.problem)
    await ack(text=text, blocks=blk, response_type="ephemeral")


def register(app: AsyncApp, command_name: str) -> None:
    app.command(command_name)(on_command)
