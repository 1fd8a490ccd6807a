"""`/ambassador profile`: open the directory profile form, filled in with what we know."""

from __future__ import annotations

from handlers.slack.directory.views import loading_modal, profile_modal
from handlers.slack.subcommands.base import SlashCommand

NAME = "profile"


async def run(cmd: SlashCommand) -> None:
    # The trigger_id dies 3 s after the command: open the modal first, then fill it in.
    await cmd.ack()
    opened = await cmd.client.views_open(trigger_id=cmd.trigger_id, view=loading_modal())
    values = await cmd.services.profiles.current(cmd.user)
    groups = await cmd.services.profiles.home_groups()
    await cmd.client.views_update(
        view_id=opened["view"]["id"], hash=opened["view"].get("hash"), view=profile_modal(values, groups)
    )
