"""A reviewer pressed "Ask ambassadors to resolve" on an overlapping request."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.program.groups import Decision
from bot.program.groups.messages import slack_ref
from handlers.slack import kit
from handlers.slack.groups.views import ASK_AMBASSADORS


async def _ask(p: kit.Press[int]) -> Decision:
    return await p.services.groups.ask_ambassadors(
        p.target.user, p.id, slack_ref(p.target.channel, p.target.message_ts)
    )


def _asked(result: Decision, p: kit.Press[int]) -> str:
    return (
        f"Asked the ambassadors in <#{p.services.groups.conflict_channel}> to resolve the overlap of request "
        f"#{result.group_id}. It can be decided once they mark it resolved."
    )


on_ask = kit.on_button(_ask, _asked, home=False)


def register(app: AsyncApp) -> None:
    app.action(ASK_AMBASSADORS)(on_ask)
