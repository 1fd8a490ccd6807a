"""`/ambassador calendar`: the calendar feed links (all events, and your private one)."""

from __future__ import annotations

from handlers.slack.subcommands.base import SlashCommand

NAME = "calendar"


async def run(cmd: SlashCommand) -> None:
    base = cmd.services.settings.server.public_url.rstrip("/")
    token = await cmd.services.calendar.token_for(cmd.user)
    await cmd.reply(
        'Subscribe in Google Calendar, Outlook or any calendar app ("add calendar from URL"):\n'
        f"• All meetups and office hours: {base}/calendar.ics\n"
        f"• Yours, with your office-hours bookings (keep this link private): {base}/calendar/{token}.ics"
    )
