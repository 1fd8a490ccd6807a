"""`/ambassador requests [<reference>|open]`: your requests, one request, or (moderators) the queue."""

from __future__ import annotations

from handlers.slack.requests import views as views_requests
from handlers.slack.subcommands.base import SlashCommand

NAME = "requests"


async def run(cmd: SlashCommand) -> None:
    args = cmd.parsed.args
    svc = cmd.services.requests
    if not args:
        items, total = await svc.mine(cmd.user)
        text, blk = views_requests.my_requests(items, total, cmd.command)
    elif len(args) == 1 and args[0].lower() in ("open", "queue"):
        items, total = await svc.queue(cmd.user)
        text, blk = views_requests.request_queue(items, total)
    elif len(args) == 1:
        text, blk = views_requests.request_detail(await svc.show(cmd.user, args[0]))
    else:
        c = cmd.command
        text = f"Usage: `{c} requests`, `{c} requests HW-0007` or `{c} requests open`"
        blk = None
    await cmd.reply(text, blk)
