"""`/ambassador nominate @user why`: suggest someone; the moderators review it."""

from __future__ import annotations

from bot.program.commands import user_ref
from handlers.slack.nominations.views import nominated_message
from handlers.slack.subcommands.base import SlashCommand
from handlers.slack.text import shown_input, usage

NAME = "nominate"
USAGE = "nominate @user <why you nominate them>"


async def run(cmd: SlashCommand) -> None:
    args = cmd.parsed.args
    if not args:
        await cmd.reply(usage(cmd.command, USAGE, problem="Whom do you want to nominate?"))
        return
    nominee = user_ref(args[0])
    if nominee is None:
        await cmd.reply(
            usage(
                cmd.command,
                USAGE,
                problem=f"I don't know who “{shown_input(args[0])}” is: "
                "mention them with @ so Slack links them.",
            )
        )
        return
    reason = cmd.parsed.rest[len(args[0]) :].strip()
    if nominee != cmd.user:  # self-nomination gets its own answer from the service
        member = await cmd.member(nominee)
        if member is None:
            await cmd.reply(f"I can't find <@{nominee}> in this workspace, so I can't nominate them.")
            return
        if member.get("is_bot"):
            await cmd.reply("Bots can't be ambassadors (yet). 🤖")
            return
    result = await cmd.services.nominations.nominate(cmd.user, nominee, reason)
    await cmd.reply(nominated_message(result))
