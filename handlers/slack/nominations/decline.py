"""A moderator pressed "Decline" on a nomination (review message or Home tab)."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.program.messages import slack_message
from bot.program.nominations import NominationResult
from handlers.slack import kit
from handlers.slack.nominations.views import NOMINATION_DECLINE, nominee_of


async def _decline(p: kit.Press[int]) -> NominationResult:
    return await p.services.nominations.decline(
        p.id, p.target.user, slack_message(p.target.channel, p.target.message_ts)
    )


def _declined(result: NominationResult, p: kit.Press[int]) -> str:
    who = nominee_of(result.nominee, result.nominee_forum)
    return f"Declined nomination #{result.nomination_id} of {who}; the nominator is told."


on_decline = kit.on_button(_decline, _declined)


def register(app: AsyncApp) -> None:
    app.action(NOMINATION_DECLINE)(on_decline)
