"""Slack listeners of onboarding: the welcome DM's "I have read the guidelines" button and the
checklist's Done buttons (the ambassador's, a moderator's); the checklist blocks are in `views`."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp


def register(app: AsyncApp) -> None:
    # Imported here, not above: importing a feature's views (other features use its ids) must not
    # import its listeners, which import other features' views in turn.
    from handlers.slack.onboarding import ack, tick

    ack.register(app)
    tick.register(app)
