"""`/ambassador event add|edit <key>|cancel <key> <date> [reason]|skip <key> <date>` (moderators)."""

from __future__ import annotations

from handlers.slack import blocks
from handlers.slack.events import views as views_events
from handlers.slack.subcommands.base import SlashCommand

NAME = "event"
USAGE = (
    "Usage: `{cmd} event add`, `{cmd} event edit <key>`, `{cmd} event cancel <key> <YYYY-MM-DD> [reason]` "
    "(people are told) or `{cmd} event skip <key> <YYYY-MM-DD>` (quietly, no reminders)."
)


async def run(cmd: SlashCommand) -> None:
    args, usage = cmd.args, cmd.usage(USAGE)
    action = args[0].lower() if args else ""
    svc = cmd.services.events
    if action == "add":
        await svc.check_moderator(cmd.user, "event.add", "new")  # a refusal is answered and audited
        await cmd.ack()
        await cmd.client.views_open(trigger_id=cmd.trigger_id, view=views_events.event_modal())
        return
    if action == "edit" and len(args) == 2:
        await svc.check_moderator(cmd.user, "event.edit", args[1].lower()[:60])
        # Open at once (the trigger_id expires in 3 s), then fill in the current values.
        await cmd.ack()
        opened = await cmd.client.views_open(
            trigger_id=cmd.trigger_id, view=blocks.notice_modal("Loading…", title="Edit event")
        )
        try:
            values = await svc.series_fields(args[1].lower())
            view = views_events.event_modal(values, editing=values["key"])
        except Exception as err:  # NotFound and friends: say so in the open modal
            view = blocks.notice_modal(getattr(err, "message", "That event series does not exist."))
        await cmd.client.views_update(view_id=opened["view"]["id"], view=view)
        return
    if action in ("cancel", "skip") and len(args) >= 3:
        status = "cancelled" if action == "cancel" else "skipped"
        reason = " ".join(args[3:])[:500]
        occ = await svc.change_occurrence(cmd.user, args[1].lower(), args[2], status, reason)
        told = " The channel was told." if status == "cancelled" else " No reminders will go out for it."
        at = views_events.when(occ.start, occ.timezone, await cmd.timezone())
        await cmd.reply(f"{occ.title} on {at} is {status}.{told}")
        return
    await cmd.reply(usage)
