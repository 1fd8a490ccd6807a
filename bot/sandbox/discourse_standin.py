"""The old import path of the Discourse stand-in; the code lives in ``bot.sandbox.discourse``."""

from bot.sandbox.discourse import (
    DISCOURSE_USER_AGENT,
    JSON_CONTENT_TYPE,
    DiscourseActor,
    DiscourseGroup,
    DiscourseStandIn,
    event_type_for,
    group_user_payload,
    post_payload,
    topic_payload,
    user_badge_payload,
    user_payload,
)

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
