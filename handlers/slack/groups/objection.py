"""An ambassador pressed Object on a request (only shown when automatic approval is on)."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.program.groups import Decision, GroupService
from handlers.slack import kit
from handlers.slack.groups.decide import on_decision
from handlers.slack.groups.views import OBJECT


def _noted(result: Decision, p: kit.Press[int]) -> str:
    return f"Noted: request #{result.group_id} won't be approved automatically; a reviewer decides."


on_object = on_decision(GroupService.object, _noted)


def register(app: AsyncApp) -> None:
    app.action(OBJECT)(on_object)
