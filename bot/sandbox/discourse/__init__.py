"""A local, real-HTTP stand-in for Discourse's REST API, and an actor sending Discourse webhooks.

- ``app``: ``DiscourseStandIn``, the server (HTTP core, auth, rate limit, faults, routing);
- ``routes_*``: the endpoints per area (site, badges, groups, users, posts), each citing the
  Discourse controller it follows;
- ``serializers``: the REST payload builders; ``webhooks``: the webhook payload builders;
- ``state``: the forum's data and shared look-ups; ``i18n``: error messages per locale;
- ``actor``: ``DiscourseActor``, which plays Discourse delivering webhooks to the bot.
"""

from bot.sandbox.discourse.actor import DISCOURSE_USER_AGENT, DiscourseActor
from bot.sandbox.discourse.app import DiscourseStandIn
from bot.sandbox.discourse.state import DiscourseGroup
from bot.sandbox.discourse.webhooks import (
    event_type_for,
    group_user_payload,
    post_payload,
    topic_payload,
    user_badge_payload,
    user_payload,
)
from bot.sandbox.discourse.wire import JSON_CONTENT_TYPE

__all__ = [
    "DISCOURSE_USER_AGENT",
    "JSON_CONTENT_TYPE",
    "DiscourseActor",
    "DiscourseGroup",
    "DiscourseStandIn",
    "event_type_for",
    "group_user_payload",
    "post_payload",
    "topic_payload",
    "user_badge_payload",
    "user_payload",
]
