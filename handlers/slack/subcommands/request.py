"""`/ambassador request hardware|expense|swag`: open the request form for that kind."""

from __future__ import annotations

from bot.program.errors import ProgramError
from bot.program.requests.kinds import KINDS
from handlers.slack import blocks
from handlers.slack.requests import views as views_requests
from handlers.slack.subcommands.base import SlashCommand

NAME = "request"
ALIASES = {"expenses": "expense", "claim": "expense", "hw": "hardware"}


async def run(cmd: SlashCommand) -> None:
    args = cmd.parsed.args
    kind = args[0].lower() if args else ""
    kind = ALIASES.get(kind, kind)
    if kind not in KINDS or len(args) > 1:
        ask = " or ".join(f"`{cmd.command} request {k}`" for k in KINDS)
        await cmd.reply(f"What would you like to request? Type {ask}.")
        return
    # The trigger_id dies 3 s after the command: acknowledge and open the form before any
    # database work; if the person may not make this request, the form is replaced by the reason.
    await cmd.ack()
    opened = await cmd.client.views_open(trigger_id=cmd.trigger_id, view=views_requests.request_modal(kind))
    try:
        await cmd.services.requests.can_request(cmd.user, kind)
    except ProgramError as err:
        await cmd.client.views_update(
            view_id=opened["view"]["id"],
            hash=opened["view"].get("hash"),
            view=blocks.notice_modal(err.message),
        )
