"""`/ambassador events`: upcoming meetups and office hours, in the reader's own timezone."""

from __future__ import annotations

from handlers.slack.events import views as views_events
from handlers.slack.subcommands.base import SlashCommand

NAME = "events"


async def run(cmd: SlashCommand) -> None:
    text, blk = views_events.events_list(await cmd.services.events.upcoming(), await cmd.timezone())
    await cmd.reply(text, blk)
