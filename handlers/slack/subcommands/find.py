"""`/ambassador find <words>`: search the directory of active ambassadors."""

from __future__ import annotations

from handlers.slack.directory.views import find_message
from handlers.slack.subcommands.base import SlashCommand
from handlers.slack.text import usage

NAME = "find"


async def run(cmd: SlashCommand) -> None:
    if not cmd.parsed.rest:
        await cmd.reply(
            usage(cmd.command, "find <words>", "find kubernetes berlin", problem="What are you looking for?")
        )
        return
    text, blk = find_message(await cmd.services.profiles.find(cmd.parsed.rest), cmd.command)
    await cmd.reply(text, blk)
