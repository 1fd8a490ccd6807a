"""The App Home tab: the app_home_opened listener, `publish.publish_home` (also used after a
click in the tab) and the tab's blocks in `views`."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp


def register(app: AsyncApp) -> None:
    # Imported here, not above: importing a feature's views (other features use its ids) must not
    # import its listeners, which import other features' views in turn.
    from handlers.slack.home import app_home

    app_home.register(app)
