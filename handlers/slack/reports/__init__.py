"""The program report's Slack message (`views`); reports have no listener of their own (the
`report` subcommand asks for them)."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp


def register(app: AsyncApp) -> None:
    """Nothing to wire: kept so every feature package has the same shape."""
