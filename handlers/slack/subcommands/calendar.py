"""`/ambassador calendar`: the calendar feed links (all events, and your private one), and
`calendar reset`: a new private address in place of the old one."""

from __future__ import annotations

from handlers.slack.subcommands.base import SlashCommand
from handlers.slack.text import shown_input, usage

NAME = "calendar"
USAGES = ("calendar", "calendar reset")
SUBSCRIBE = 'Subscribe in Google Calendar, Outlook or any calendar app ("add calendar from URL"):'


async def run(cmd: SlashCommand) -> None:
    base = cmd.services.settings.server.public_url.rstrip("/")
    public = f"• All meetups and office hours: {base}/calendar.ics"
    args = cmd.parsed.args
    if args and (len(args) > 1 or args[0].lower() != "reset"):
        problem = f"I didn't understand “{shown_input(cmd.parsed.rest)}”."
        await cmd.reply(usage(cmd.command, *USAGES, problem=problem))
        return
    if args:
        token = await cmd.services.calendar.reset(cmd.user)
        await cmd.reply(
            "Here is your new private calendar address; the old one has stopped working, so replace "
            f"it in your calendar app (keep this link private):\n• {base}/calendar/{token}.ics"
        )
        return
    mine = await cmd.services.calendar.private_address(cmd.user)
    if mine.token is not None:
        await cmd.reply(
            f"{SUBSCRIBE}\n{public}\n"
            "• Yours, with your office-hours bookings (keep this link private; I show it only once): "
            f"{base}/calendar/{mine.token}.ics"
        )
        return
    await cmd.reply(
        f"{SUBSCRIBE}\n{public}\n"
        f"• Yours: you have had a private address since {mine.created_at:%Y-%m-%d}. I keep no copy of "
        f"it, so I can't show it again. Lost it, or shared it by mistake? `{cmd.command} calendar reset` "
        "gives you a new one and stops the old one."
    )
