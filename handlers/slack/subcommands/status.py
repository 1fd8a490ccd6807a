"""`/ambassador status`: your application, term and onboarding."""

from __future__ import annotations

from handlers.slack.applications import views as application_views
from handlers.slack.subcommands.base import SlashCommand

NAME = "status"


async def run(cmd: SlashCommand) -> None:
    text, blk = application_views.status_message(
        await cmd.services.applications.status(cmd.user), cmd.command
    )
    await cmd.reply(text, blk)
