"""`/ambassador apply`: open the application form."""

from __future__ import annotations

from bot.program.errors import ProgramError
from handlers.slack import blocks
from handlers.slack.applications import views as application_views
from handlers.slack.subcommands.base import SlashCommand

NAME = "apply"


async def open_application(cmd: SlashCommand) -> None:
    # Slack's trigger_id dies 3 s after the command: acknowledge and open the modal before any
    # database work; if the person cannot apply, the open modal is replaced with the reason.
    await cmd.ack()
    opened = await cmd.client.views_open(
        trigger_id=cmd.trigger_id, view=application_views.application_modal()
    )
    try:
        await cmd.services.applications.can_apply(cmd.user)
    except ProgramError as err:
        await cmd.client.views_update(
            view_id=opened["view"]["id"],
            hash=opened["view"].get("hash"),
            view=blocks.notice_modal(err.message),
        )


run = open_application
