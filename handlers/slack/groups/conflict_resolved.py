"""An ambassador (or moderator) pressed "Mark resolved" on an overlap."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.program.groups import Decision, GroupService
from handlers.slack import kit
from handlers.slack.groups.decide import on_decision
from handlers.slack.groups.views import RESOLVED


def _resolved(result: Decision, p: kit.Press[int]) -> str:
    return f"Marked the overlap of request #{result.group_id} resolved; the reviewers can decide it now."


on_resolved = on_decision(GroupService.resolve_conflict, _resolved)


def register(app: AsyncApp) -> None:
    app.action(RESOLVED)(on_resolved)
