"""A moderator pressed Approve on a review message."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.program.applications import DecisionResult
from bot.program.messages import slack_message
from handlers.slack import kit
from handlers.slack.applications import views as application_views


async def _approve(p: kit.Press[int]) -> DecisionResult:
    return await p.services.applications.approve(
        p.id, p.target.user, slack_message(p.target.channel, p.target.message_ts)
    )


def _approved(result: DecisionResult, p: kit.Press[int]) -> str:
    if result.renewal:
        until = f" until {result.term_end:%Y-%m-%d}" if result.term_end else ""
        return (
            f"Approved renewal #{result.application_id}. <@{result.applicant_slack_id}>'s term is "
            f"extended{until}; they get a message saying so."
        )
    if not result.term_end:
        return f"Approved application #{result.application_id}."
    return (
        f"Approved application #{result.application_id}. <@{result.applicant_slack_id}> is an ambassador "
        f"until {result.term_end:%Y-%m-%d}; the badge, the forum group and the welcome message "
        "are on their way."
    )


on_approve = kit.on_button(_approve, _approved)


def register(app: AsyncApp) -> None:
    app.action(application_views.APPROVE)(on_approve)
