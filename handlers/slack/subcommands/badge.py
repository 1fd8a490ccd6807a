"""`/ambassador badge grant|revoke @user <badge> [reason <link>]` (moderators)."""

from __future__ import annotations

from bot.program.commands import user_ref
from handlers.slack.subcommands.base import SlashCommand

NAME = "badge"
USAGE = (
    "Usage: `{cmd} badge grant @user <badge name or id> [reason <forum link>]` "
    "or `{cmd} badge revoke @user <badge>`"
)


async def run(cmd: SlashCommand) -> None:
    args, usage = cmd.args, cmd.usage(USAGE)
    if len(args) < 3 or args[0].lower() not in ("grant", "revoke"):
        await cmd.reply(usage)
        return
    action, target = args[0].lower(), user_ref(args[1])
    if target is None:
        await cmd.reply(f"{args[1][:40]!r} is not a Slack user; mention them like @name. {usage}")
        return
    words, reason = args[2:], None
    lowered = [w.lower() for w in words]
    if "reason" in lowered:
        i = lowered.index("reason")
        words, rest = words[:i], words[i + 1 :]
        reason = rest[0].strip("<>").split("|")[0] if rest else ""
        if not reason:
            await cmd.reply(f"Give the reason as a link to a forum post. {usage}")
            return
    if not words:
        await cmd.reply(usage)
        return
    badges = cmd.services.badges
    if action == "grant":
        change = await badges.grant(cmd.user, target, " ".join(words), reason)
        await cmd.reply(
            f"Granting “{change.badge.name}” to {change.forum_username} on the forum; it is on its way. "
            f"<@{target}> will see it on their forum profile."
        )
    else:
        change = await badges.revoke(cmd.user, target, " ".join(words))
        await cmd.reply(f"Revoking “{change.badge.name}” from {change.forum_username} on the forum.")
