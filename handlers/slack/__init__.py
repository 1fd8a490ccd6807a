"""Slack listeners. `register(app, command)` wires every listener module onto a Bolt app."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from handlers.slack import (
    app_home,
    apply_submission,
    command,
    dedupe,
    event_form_submit,
    event_rsvp,
    events_fallback,
    nomination_apply,
    nomination_decline,
    nomination_invite,
    office_hours_book,
    office_hours_cancel,
    onboarding_ack,
    profile_submission,
    reject_submission,
    renewal_start,
    renewal_submit,
    request_listeners,
    retire_cancel,
    retire_confirm,
    review_approve,
    review_reject,
    user_groups,
    views_events,
    views_home,
    views_lifecycle,
)
from handlers.slack.context import strict_payload

# Importing the views registers their outbox templates ("home", "nomination_review", ...).
VIEW_MODULES = (views_home, views_lifecycle, views_events)


def register(app: AsyncApp, command_name: str) -> None:
    app.middleware(strict_payload)  # first: every listener reads the strictly parsed payload
    dedupe.register(app)
    command.register(app, command_name)
    apply_submission.register(app)
    review_approve.register(app)
    review_reject.register(app)
    reject_submission.register(app)
    onboarding_ack.register(app)
    nomination_invite.register(app)
    nomination_decline.register(app)
    nomination_apply.register(app)
    profile_submission.register(app)
    retire_confirm.register(app)
    retire_cancel.register(app)
    app_home.register(app)
    event_rsvp.register(app)
    office_hours_book.register(app)
    office_hours_cancel.register(app)
    renewal_start.register(app)
    renewal_submit.register(app)
    event_form_submit.register(app)
    user_groups.register(app)
    request_listeners.register(app)
    events_fallback.register(app)  # last: only events no other listener took
