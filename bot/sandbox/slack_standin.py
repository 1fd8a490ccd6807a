"""The old import path of the Slack stand-in, now the package ``bot.sandbox.slack``."""

from bot.sandbox.slack import SlackActor, SlackStandIn, ViewInput

__all__ = ["SlackActor", "SlackStandIn", "ViewInput"]
