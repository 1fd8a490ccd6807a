"""The slash command: one entry point; the shared parser picks the subcommand module. `help`
shows moderators their section only; a mistyped command gets the nearest one (bot.program.commands)."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.program.commands import HELP, ParsedCommand, parse
from bot.program.errors import ProgramError
from bot.program.permissions import Permission, allows_by_role
from bot.services import Services
from handlers.slack import text as kit
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
        await _help(ack, svc, sent.user.id, parsed)
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


async def _help(ack: AsyncAck, svc: Services, user: str, parsed: ParsedCommand) -> None:
    """`help` (or nothing typed): the list, its moderators' section for moderators only. A word
    that is no command gets one line instead: the nearest command, and a pointer to `help`."""
    command = svc.settings.slack.command
    if parsed.problem:
        if parsed.unknown:
            text = kit.unknown_command(command, parsed.unknown, parsed.nearest)
        else:  # not an unknown word (e.g. far too long): say what was wrong
            text = f"{parsed.problem} `{command} help` lists what I can do."
        await ack(text=text, response_type="ephemeral")
        return
    moderator = await allows_by_role(svc.roles, user, Permission.MODERATE)
    text, blk = kit.help_answer(command, HELP, moderator=moderator)
    await ack(text=text, blocks=blk, response_type="ephemeral")


def register(app: AsyncApp, command_name: str) -> None:
    app.command(command_name)(on_command)
