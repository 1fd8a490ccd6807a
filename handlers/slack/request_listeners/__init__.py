"""Slack listeners of requests (hardware, expenses, swag), one per module; `register(app)` wires
them. Importing the views registers the outbox templates ("request_review", "request_status",
"program_report")."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from handlers.slack import views_reports, views_requests
from handlers.slack.request_listeners import approve, close, note_open, note_submission, submission

VIEW_MODULES = (views_requests, views_reports)


def register(app: AsyncApp) -> None:
    submission.register(app)
    approve.register(app)
    close.register(app)
    note_open.register(app)
    note_submission.register(app)
