"""Slack listeners of events (one per module): RSVP buttons, office-hours booking and
cancelling, and the event series form; their blocks are in `views`."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp


def register(app: AsyncApp) -> None:
    # Imported here, not above: importing a feature's views (other features use its ids) must not
    # import its listeners, which import other features' views in turn.
    from handlers.slack.events import form_submit, office_hours_book, office_hours_cancel, rsvp

    rsvp.register(app)
    office_hours_book.register(app)
    office_hours_cancel.register(app)
    form_submit.register(app)
