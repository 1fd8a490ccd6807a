"""`/ambassador link <forum-username>`, `link confirm <code>`, and (moderators) `link @user <name>`."""

from __future__ import annotations

from bot.program.commands import user_ref
from handlers.slack.linking.views import link_started_message, linked_message
from handlers.slack.subcommands.base import SlashCommand
from handlers.slack.text import shown_input, usage

NAME = "link"
USAGES = ("link <forum-username>", "link confirm <code>", "link @user <forum-username>")


async def run(cmd: SlashCommand) -> None:
    svc = cmd.services.linking
    args = cmd.parsed.args
    if not args:
        await cmd.reply(usage(cmd.command, *USAGES, problem="Which forum account?"))
        return
    if args[0].lower() == "confirm":
        if len(args) == 1:
            await cmd.reply(usage(cmd.command, "link confirm <code>", problem="Which code?"))
            return
        linked = await svc.confirm(cmd.user, "".join(args[1:]))
        await cmd.reply(linked_message(linked, mine=True))
        return
    target = user_ref(args[0])
    if target is not None:
        if len(args) != 2:
            await cmd.reply(usage(cmd.command, "link @user <forum-username>", problem="Which forum account?"))
            return
        linked = await svc.link_by_moderator(cmd.user, target, args[1])
        await cmd.reply(linked_message(linked, mine=target == cmd.user))
        return
    if len(args) != 1:
        problem = f"I didn't understand “{shown_input(cmd.parsed.rest)}”."
        if args[0].startswith("@"):
            problem = "To link someone else, mention them with @ so Slack links them."
        await cmd.reply(usage(cmd.command, *USAGES, problem=problem))
        return
    started = await svc.start(cmd.user, args[0], cmd.user_name)
    await cmd.reply(link_started_message(started, cmd.command))
