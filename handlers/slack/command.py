"""The slash command: one entry point; the shared parser picks the subcommand module."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.program.commands import parse
from bot.program.errors import ProgramError
from handlers.slack import blocks
from handlers.slack.context import services, slash
from handlers.slack.subcommands import RUNNERS
from handlers.slack.subcommands.base import SlashCommand


async def on_command(
    ack: AsyncAck,
    client: AsyncWebClient,
    context: AsyncBoltContext,
    respond: AsyncRespond | None = None,
) -> None:
    svc = services(context)
    sent = slash(context)
    parsed = parse(sent.text)
    runner = RUNNERS.get(parsed.name)
    if runner is None:
        text, blk = blocks.help_message(svc.settings.slack.command, parsed.problem)
        await ack(text=text, blocks=blk, response_type="ephemeral")
        return
    cmd = SlashCommand(
        parsed=parsed,
        user=sent.user.id,
        user_name=sent.user.name,
        channel=sent.channel_id,
        trigger_id=sent.trigger_id,
        ack=ack,
        client=client,
        services=svc,
        respond=respond,
    )
    try:
        await runner(cmd)
    except ProgramError as err:
        # Refusals and bad input from the service layer: a clear, private answer.
        if cmd.ack.response is None:
            await cmd.reply(err.message)
        else:
            await client.chat_postEphemeral(channel=cmd.channel, user=cmd.user, text=err.message)


def register(app: AsyncApp, command_name: str) -> None:
    app.command(command_name)(on_command)
