"""A moderator marked an approved request shipped or reimbursed: the request is closed."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.program.messages import slack_message
from bot.program.requests import Decision
from handlers.slack import kit
from handlers.slack.requests.views import CLOSE


async def _close(p: kit.Press[int]) -> Decision:
    return await p.services.requests.close(
        p.id, p.target.user, slack_message(p.target.channel, p.target.message_ts)
    )


def _closed(decision: Decision, p: kit.Press[int]) -> str:
    r = decision.request
    return f"{r.reference} is marked {decision.change} and closed; <@{r.requester}> has been told."


on_close = kit.on_button(_close, _closed)


def register(app: AsyncApp) -> None:
    app.action(CLOSE)(on_close)
