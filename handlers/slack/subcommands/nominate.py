"""`/ambassador nominate @user why`: suggest someone; the moderators review it. Someone not in
Slack is named by their forum username (checked on the forum; invited by forum private message)
or by an email address (looked up in Slack, then on the forum)."""

from __future__ import annotations

import re

from bot.program.applications.form import FORUM_USERNAME
from bot.program.commands import user_ref
from handlers.slack.nominations.views import nominated_message
from handlers.slack.subcommands.base import SlashCommand
from handlers.slack.text import shown_input, usage

NAME = "nominate"
USAGE = "nominate @user <why you nominate them>"
USAGES = (
    USAGE,
    "nominate <forum username> <why you nominate them>",
    "nominate <email> <why you nominate them>",
)
# An address as Slack sends it in a command's text (linked as <mailto:a@b.c|a@b.c>, or as typed).
EMAIL = re.compile(r"^(?:<mailto:[^|>]+\|)?([^\s@<>|]+@[^\s@<>|]+\.[^\s@<>|]+)>?$")


def email_ref(text: str) -> str | None:
    """The email address `text` is, or None."""
    m = EMAIL.match(text)
    return m.group(1) if m else None


async def run(cmd: SlashCommand) -> None:
    args = cmd.parsed.args
    if not args:
        await cmd.reply(usage(cmd.command, *USAGES, problem="Whom do you want to nominate?"))
        return
    nominee = user_ref(args[0])
    reason = cmd.parsed.rest[len(args[0]) :].strip()
    if nominee is None:
        await _not_in_slack(cmd, args[0], reason)
        return
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


async def _not_in_slack(cmd: SlashCommand, target: str, reason: str) -> None:
    """Someone named by an email address or a forum username instead of a Slack mention."""
    email = email_ref(target)
    if email is not None:
        result = await cmd.services.nominations.nominate_email(cmd.user, email, reason, cmd.user_name)
    elif FORUM_USERNAME.match(target.lstrip("@")):
        result = await cmd.services.nominations.nominate_forum(cmd.user, target, reason, cmd.user_name)
    else:
        problem = (
            f"I don't know who “{shown_input(target)}” is: mention them with @ so Slack links them, "
            "or give their forum username."
        )
        await cmd.reply(usage(cmd.command, *USAGES, problem=problem))
        return
    await cmd.reply(nominated_message(result))
