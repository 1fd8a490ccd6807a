"""An ambassador (or moderator) pressed "Mark resolved" on an overlap."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.program.groups import Decision
from bot.program.groups.messages import slack_ref
from handlers.slack import kit
from handlers.slack.groups.views import RESOLVED


async def _resolve(p: kit.Press[int]) -> Decision:
    return await p.services.groups.resolve_conflict(
        p.target.user, p.id, slack_ref(p.target.channel, p.target.message_ts)
    )


def _resolved(result: Decision, p: kit.Press[int]) -> str:
    return f"Marked the overlap of request #{result.group_id} resolved; the reviewers can decide it now."


on_resolved = kit.on_button(_resolve, _resolved, home=False)


def register(app: AsyncApp) -> None:
    app.action(RESOLVED)(on_resolved)
