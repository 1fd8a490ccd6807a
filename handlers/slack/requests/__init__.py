"""Slack listeners of requests (hardware, expenses, swag), one per module; `register(app)` wires
them. Their blocks are in `views`."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp


def register(app: AsyncApp) -> None:
    # Imported here, not above: importing a feature's views (other features use its ids) must not
    # import its listeners, which import other features' views in turn.
    from handlers.slack.requests import approve, close, note_open, note_submission, submission

    submission.register(app)
    approve.register(app)
    close.register(app)
    note_open.register(app)
    note_submission.register(app)
