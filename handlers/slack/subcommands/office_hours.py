"""`/ambassador office-hours [cancel]`: free 1-to-1 slots to book, or your bookings to cancel."""

from __future__ import annotations

from handlers.slack import text as kit
from handlers.slack.blocks import button, section
from handlers.slack.events import views as views_events
from handlers.slack.subcommands.base import SlashCommand

NAME = "office-hours"


async def run(cmd: SlashCommand) -> None:
    svc = cmd.services.events
    if cmd.parsed.args[:1] == ("cancel",) or cmd.parsed.args[:1] == ("mine",):
        mine = await svc.my_bookings(cmd.user)
        if not mine:
            await cmd.reply("You have no upcoming office-hours bookings.")
            return
        reader = await cmd.timezone()
        out = [section("Your bookings (times shown in your own timezone):")]
        for b in mine:
            out.append(
                {
                    "type": "section",
                    "text": kit.mrkdwn(
                        kit.cut(
                            f"*{kit.escape(b.title)}* — {views_events.when(b.start, b.timezone, reader)}",
                            kit.SECTION,
                        )
                    ),
                    "accessory": button("Cancel booking", views_events.CANCEL_BOOKING, str(b.booking_id)),
                }
            )
        await cmd.reply("Your bookings", out)
        return
    text, blk = views_events.slots_message(await svc.free_slots(), await cmd.timezone())
    await cmd.reply(text, blk)
