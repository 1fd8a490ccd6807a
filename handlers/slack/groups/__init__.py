"""Slack listeners of the user group workflow (one per module); `register(app)` wires them.

Their blocks are in `views`, the outbox message renderers ("group_review", "group_handover", …) in
`messages`, and the body shared by the buttons that decide at once in `decide`.
"""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp


def register(app: AsyncApp) -> None:
    # Imported here, not above: importing a feature's views (other features use its ids) must not
    # import its listeners, which import other features' views in turn.
    from handlers.slack.groups import (
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
    )

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
