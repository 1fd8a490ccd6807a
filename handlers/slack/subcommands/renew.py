"""`/ambassador renew`: the short renewal form."""

from __future__ import annotations

from handlers.slack.events import views as views_events
from handlers.slack.subcommands.base import SlashCommand

NAME = "renew"


async def run(cmd: SlashCommand) -> None:
    await cmd.ack()
    await cmd.client.views_open(trigger_id=cmd.trigger_id, view=views_events.renewal_modal())
