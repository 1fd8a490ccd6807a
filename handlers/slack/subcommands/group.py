"""`/ambassador group request|status|organiser add|retire`: the user group workflow."""

from __future__ import annotations

from bot.program.errors import ProgramError
from bot.program.text import plural
from handlers.slack import blocks
from handlers.slack.groups.views import request_modal, status_message
from handlers.slack.subcommands.base import SlashCommand

NAME = "group"
USAGE = (
    "Usage: `{cmd} group request` (opens the form), `{cmd} group status`, "
    "`{cmd} group organiser add <group name or #number> @user` (or a forum username), "
    "`{cmd} group retire #<number> <why>` (moderators)."
)


async def open_request(cmd: SlashCommand) -> None:
    # Slack's trigger_id dies 3 s after the command: open the form before any database work,
    # then fill in a request that needs changes, or replace the form with why it can't be sent.
    await cmd.ack()
    community = cmd.services.settings.groups.community
    opened = await cmd.client.views_open(trigger_id=cmd.trigger_id, view=request_modal(community))
    view_id, view_hash = opened["view"]["id"], opened["view"].get("hash")
    try:
        draft = await cmd.services.groups.draft_for(cmd.user)
    except ProgramError as err:
        await cmd.client.views_update(view_id=view_id, hash=view_hash, view=blocks.notice_modal(err.message))
        return
    if draft is not None:
        await cmd.client.views_update(view_id=view_id, hash=view_hash, view=request_modal(community, draft))


async def add_organiser(cmd: SlashCommand, usage: str) -> None:
    # "organiser add <group…> <who>": the group name may have spaces; the person is the last word.
    words = cmd.parsed.rest.split()[2:]
    if len(words) < 2:
        await cmd.reply(f"Name the group and the person. {usage}")
        return
    group_ref, who = " ".join(words[:-1]), words[-1]
    result = await cmd.services.groups.add_organiser(cmd.user, group_ref, who)
    text = f"{result.who} is now an organiser of *{blocks.escape(result.title)}*."
    if result.forum_owner:
        text += f" On the forum, {blocks.escape(result.forum_owner)} becomes an owner of its group."
    await cmd.reply(text)


async def retire(cmd: SlashCommand, usage: str) -> None:
    # "retire #12 <why>": the group is the first word (its #number), the rest is the reason.
    words = cmd.parsed.rest.split(maxsplit=2)[1:]
    if not words:
        await cmd.reply(f"Name the group to retire by its #number. {usage}")
        return
    result = await cmd.services.groups.retire(cmd.user, words[0], words[1] if len(words) > 1 else "")
    text = f"Retired *{blocks.escape(result.title)}* (#{result.group_id}): it is no longer a home group."
    if result.home_group_cleared:
        text += f" Cleared it from {plural(result.home_group_cleared, 'profile')}."
    await cmd.reply(text)


async def run(cmd: SlashCommand) -> None:
    args = [a.lower() for a in cmd.parsed.args]
    usage = cmd.usage(USAGE)
    if args[:1] == ["request"]:
        await open_request(cmd)
    elif args[:1] == ["status"]:
        text, blk = status_message(await cmd.services.groups.status_for(cmd.user), cmd.command)
        await cmd.reply(text, blk)
    elif args[:1] in (["organiser"], ["organizer"]) and args[1:2] == ["add"]:
        await add_organiser(cmd, usage)
    elif args[:1] == ["retire"]:
        await retire(cmd, usage)
    else:
        await cmd.reply(usage)
