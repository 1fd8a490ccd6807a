"""A moderator pressed Approve on a request (review message or Home tab)."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.program.messages import slack_message
from bot.program.requests import Decision
from handlers.slack import kit
from handlers.slack.requests.views import APPROVE


async def _approve(p: kit.Press[int]) -> Decision:
    return await p.services.requests.approve(
        p.id, p.target.user, slack_message(p.target.channel, p.target.message_ts)
    )


def _approved(decision: Decision, p: kit.Press[int]) -> str:
    r = decision.request
    if decision.change == "approved":
        return f"Approved {r.reference}; <@{r.requester}> has been told. Mark it done once it is."
    return (
        f"Your approval of {r.reference} is recorded ({len(r.approvers)} of {r.approvals_needed}); "
        "it needs another moderator's approval."
    )


on_approve = kit.on_button(_approve, _approved)


def register(app: AsyncApp) -> None:
    app.action(APPROVE)(on_approve)
