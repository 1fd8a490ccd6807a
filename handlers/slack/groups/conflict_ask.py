"""A reviewer pressed "Ask ambassadors to resolve" on an overlapping request."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.program.groups import Decision, GroupService
from handlers.slack import kit
from handlers.slack.groups.decide import on_decision
from handlers.slack.groups.views import ASK_AMBASSADORS


def _asked(result: Decision, p: kit.Press[int]) -> str:
    return (
        f"Asked the ambassadors in <#{p.services.groups.conflict_channel}> to resolve the overlap of request "
        f"#{result.group_id}. It can be decided once they mark it resolved."
    )


on_ask = on_decision(GroupService.ask_ambassadors, _asked)


def register(app: AsyncApp) -> None:
    app.action(ASK_AMBASSADORS)(on_ask)
