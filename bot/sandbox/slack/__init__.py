"""The Slack stand-in: a Web API server (``SlackStandIn``) and the actor that plays Slack's side
toward the bot (``SlackActor``).

- ``standin``: the workspace's state (users, channels, messages) and the routes it serves;
- ``gate``: what stands before every method (auth, rate limits, outages, faults);
- ``responses``: response URLs (replace, delete, in channel, ephemeral);
- ``surfaces``: modals and the App Home (the view stack, updates, hashes);
- ``methods/``: the Web API methods, by family, each citing Slack's method page;
- ``blockkit``: what Slack refuses in views and messages (slack_sdk's models and Slack's limits);
- ``payloads``: the interaction payloads the actor builds;
- ``actor``: signed slash commands, clicks and submissions sent to the bot; ``events``: its
  Events API callbacks; ``answers``: what Slack does with the bot's answer to a submission.

``bot.sandbox.http`` is the server core it shares with the Discourse stand-in.
"""

from bot.sandbox.slack.actor import SlackActor
from bot.sandbox.slack.common import ViewInput
from bot.sandbox.slack.standin import SlackStandIn

__all__ = ["SlackActor", "SlackStandIn", "ViewInput"]
