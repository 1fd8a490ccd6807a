"""Slack listeners. `register(app, command)` wires every listener module onto a Bolt app."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from handlers.slack import (
    apply_submission,
    command,
    dedupe,
    events_fallback,
    onboarding_ack,
    reject_submission,
    review_approve,
    review_reject,
)


def register(app: AsyncApp, command_name: str) -> None:
    dedupe.register(app)
    command.register(app, command_name)
    apply_submission.register(app)
    review_approve.register(app)
    review_reject.register(app)
    reject_submission.register(app)
    onboarding_ack.register(app)
    events_fallback.register(app)  # last: only events no other listener took
