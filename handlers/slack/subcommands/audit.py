"""`/ambassador audit @user` (moderators): the latest audit entries about a person."""

from __future__ import annotations

from bot.program.commands import user_ref
from handlers.slack.audit.views import audit_message
from handlers.slack.subcommands.base import SlashCommand
from handlers.slack.text import usage

NAME = "audit"


async def run(cmd: SlashCommand) -> None:
    args = cmd.parsed.args
    target = user_ref(args[0]) if len(args) == 1 else None
    if target is None:
        await cmd.reply(usage(cmd.command, "audit @user", problem="Whose audit log? Mention them with @."))
        return
    text, blk = audit_message(await cmd.services.audit.about(cmd.user, target))
    await cmd.reply(text, blk)
