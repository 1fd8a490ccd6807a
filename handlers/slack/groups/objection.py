"""An ambassador pressed Object on a request (only shown when automatic approval is on)."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.program.groups import Decision
from bot.program.groups.messages import slack_ref
from handlers.slack import kit
from handlers.slack.groups.views import OBJECT


async def _object(p: kit.Press[int]) -> Decision:
    return await p.services.groups.object(
        p.target.user, p.id, slack_ref(p.target.channel, p.target.message_ts)
    )


def _noted(result: Decision, p: kit.Press[int]) -> str:
    return f"Noted: request #{result.group_id} won't be approved automatically; a reviewer decides."


on_object = kit.on_button(_object, _noted, home=False)


def register(app: AsyncApp) -> None:
    app.action(OBJECT)(on_object)
