"""`/ambassador groups [near <place>|status <status>]`: list the user groups."""

from __future__ import annotations

from handlers.slack.groups.views import list_message
from handlers.slack.subcommands.base import SlashCommand

NAME = "groups"


async def run(cmd: SlashCommand) -> None:
    text, blk = list_message(await cmd.services.groups.list_groups(cmd.parsed.rest))
    await cmd.reply(text, blk)
