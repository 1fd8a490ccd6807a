"""Slack listeners. `register(app, command)` wires every listener module onto a Bolt app."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from handlers.slack import (
    apply_submission,
    command,
    onboarding_ack,
    reject_submission,
    review_approve,
    review_reject,
)


def register(app: AsyncApp, command_name: str) -> None:
    command.register(app, command_name)
    apply_submission.register(app)
    review_approve.register(app)
    review_reject.register(app)
    reject_submission.register(app)
    onboarding_ack.register(app)
