"""Slack listeners of applications (one per module): the apply form, Approve / Reject on the review
message and the reject-reason form. Their blocks are in `views`; the review card's shape, shared
with nominations, is in `card`."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp


def register(app: AsyncApp) -> None:
    # Imported here, not above: importing a feature's views (other features use its ids) must not
    # import its listeners, which import other features' views in turn.
    from handlers.slack.applications import apply_submission, reject_submission, review_approve, review_reject

    apply_submission.register(app)
    review_approve.register(app)
    review_reject.register(app)
    reject_submission.register(app)
