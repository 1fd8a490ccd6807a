"""The listener body of a card button that decides at once (ask the ambassadors, mark the overlap
resolved, object): the pressing person, the group id the button carries and the message it was
on, handed to one GroupService decision."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.program.groups import Decision, GroupService
from bot.program.messages import MessageRef, slack_message
from handlers.slack import kit

# A GroupService decision taken from a card: (service, actor, group id, the card) -> the decision.
Decide = Callable[[GroupService, str, int, MessageRef | None], Awaitable[Decision]]


def on_decision(decide: Decide, say: Callable[[Decision, kit.Press[int]], str]) -> kit.Listener:
    """`kit.on_button` for `decide`, answered with `say`; the Home tab has none of these buttons."""

    async def call(p: kit.Press[int]) -> Decision:
        ref = slack_message(p.target.channel, p.target.message_ts)
        return await decide(p.services.groups, p.target.user, p.id, ref)

    return kit.on_button(call, say, home=False)
