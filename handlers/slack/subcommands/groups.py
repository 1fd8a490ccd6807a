"""`/ambassador groups [near <place>|status <status>]`: list the user groups."""

from __future__ import annotations

from handlers.slack.subcommands.base import SlashCommand
from handlers.slack.user_groups.views import list_message

NAME = "groups"


async def run(cmd: SlashCommand) -> None:
    text, blk = list_message(await cmd.services.groups.list_groups(cmd.parsed.rest))
    await cmd.reply(text, blk)
