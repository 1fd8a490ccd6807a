"""`/ambassador onboarding [@user | stuck | done @user <step>]`: checklists and who is stuck."""

from __future__ import annotations

from bot.program.commands import user_ref
from handlers.slack.onboarding.views import checklist_message, step_ticked_message, stuck_message
from handlers.slack.subcommands.base import SlashCommand
from handlers.slack.text import shown_input, usage

NAME = "onboarding"
USAGES = ("onboarding", "onboarding @user", "onboarding stuck", "onboarding done @user <step>")


async def run(cmd: SlashCommand) -> None:
    svc = cmd.services.onboarding
    args = cmd.parsed.args
    if not args:
        text, blk = checklist_message(await svc.checklist(cmd.user), True, cmd.command)
        await cmd.reply(text, blk)
        return
    first = args[0].lower()
    if first == "stuck" and len(args) == 1:
        text, blk = stuck_message(await svc.stuck(cmd.user))
        await cmd.reply(text, blk)
        return
    if first == "done":
        target = user_ref(args[1]) if len(args) > 1 else None
        if target is None or len(args) != 3:
            await cmd.reply(
                usage(cmd.command, "onboarding done @user <step>", problem="Which person and step?")
            )
            return
        result = await svc.complete_by_moderator(cmd.user, target, args[2])
        await cmd.reply(step_ticked_message(result, target))
        return
    target = user_ref(args[0])
    if target is not None and len(args) == 1:
        checklist = await svc.checklist(cmd.user, target)
        text, blk = checklist_message(checklist, target == cmd.user, cmd.command)
        await cmd.reply(text, blk)
        return
    await cmd.reply(
        usage(cmd.command, *USAGES, problem=f"I didn't understand “{shown_input(cmd.parsed.rest)}”.")
    )
