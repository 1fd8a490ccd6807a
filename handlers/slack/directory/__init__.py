"""Slack listeners of the directory: the profile form; the profile modal and `find` answers are
in `views`."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp


def register(app: AsyncApp) -> None:
    # Imported here, not above: importing a feature's views (other features use its ids) must not
    # import its listeners, which import other features' views in turn.
    from handlers.slack.directory import profile_submission

    profile_submission.register(app)
