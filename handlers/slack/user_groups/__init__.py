"""Slack listeners of the user group workflow (one per module); `register(app)` wires them.

Importing `views` registers the outbox message templates ("group_review", "group_handover", …).
"""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from handlers.slack.user_groups import (
    approve,
    approve_submission,
    conflict_ask,
    conflict_resolved,
    objection,
    reason,
    reason_submission,
    request_submission,
    step,
    step_submission,
    views,
)

VIEW_MODULES = (views,)


def register(app: AsyncApp) -> None:
    request_submission.register(app)
    approve.register(app)
    approve_submission.register(app)
    reason.register(app)
    reason_submission.register(app)
    conflict_ask.register(app)
    conflict_resolved.register(app)
    objection.register(app)
    step.register(app)
    step_submission.register(app)
