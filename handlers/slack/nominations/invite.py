"""A moderator pressed "Invite to apply" on a nomination (review message or Home tab)."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.program.messages import slack_message
from bot.program.nominations import NominationResult
from handlers.slack import kit
from handlers.slack.nominations.views import NOMINATION_INVITE, nominee_of


async def _invite(p: kit.Press[int]) -> NominationResult:
    return await p.services.nominations.invite(
        p.id, p.target.user, slack_message(p.target.channel, p.target.message_ts)
    )


def _invited(result: NominationResult, p: kit.Press[int]) -> str:
    how = "a direct message" if result.nominee else "a private message on the forum"
    who = nominee_of(result.nominee, result.nominee_forum)
    return f"Invited {who} to apply (nomination #{result.nomination_id}); they get {how}."


on_invite = kit.on_button(_invite, _invited)


def register(app: AsyncApp) -> None:
    app.action(NOMINATION_INVITE)(on_invite)
