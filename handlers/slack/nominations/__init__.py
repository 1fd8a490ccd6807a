"""Slack listeners of nominations (one per module): Invite / Decline on a nomination and the
nominee's "Open the application form"; their blocks are in `views`."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp


def register(app: AsyncApp) -> None:
    # Imported here, not above: importing a feature's views (other features use its ids) must not
    # import its listeners, which import other features' views in turn.
    from handlers.slack.nominations import apply, decline, invite

    invite.register(app)
    decline.register(app)
    apply.register(app)
