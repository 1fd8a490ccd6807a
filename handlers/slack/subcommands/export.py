"""`/ambassador export <what> [csv|json]` (moderators): the data as a file in a direct message."""

from __future__ import annotations

from bot.program.reports.exports import EXPORT_KINDS
from handlers.slack.subcommands.base import SlashCommand

NAME = "export"


async def run(cmd: SlashCommand) -> None:
    args = cmd.parsed.args
    if not args or len(args) > 2:
        await cmd.reply(f"Usage: `{cmd.command} export {'|'.join(EXPORT_KINDS)} [csv|json]`")
        return
    exports = cmd.services.exports
    kind, fmt = exports.check(args[0], args[1] if len(args) == 2 else "csv")
    await exports.ensure_allowed(cmd.user, kind)
    await cmd.reply(f"Preparing the {kind} export ({fmt.upper()}); it arrives as a file in a direct message.")
    await exports.send(cmd.user, kind, fmt)
