"""Outbound actions, written as outbox rows inside the caller's unit of work.

Each row has a unique key so the same action can never be queued twice; the worker in
bot/platforms delivers it and calls `bot.program.delivered.record_delivery` in the transaction that
marks it done. A Slack message is queued as a typed `Message` (`post`, `dm`, `update`, `redraw`):
the row keeps its kind as the template name and its encoded data (`message_payload`, the one place
that shape is written).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.program.messages import Message, MessageRef, encode
from storage.uow import UnitOfWork

SLACK_POST = "slack.post"
SLACK_DM = "slack.dm"
SLACK_UPDATE = "slack.update"
SLACK_HOME = "slack.home"  # {"user", "template", "data"}: views.publish of the App Home tab
# {"channel" or "user", "filename", "title", "content_b64", "initial_comment"?}: files_upload_v2
SLACK_FILE = "slack.file"
DISCOURSE_GRANT_BADGE = "discourse.grant_badge"  # {"username", "badge_id", "reason"?, "grant_id"?}
DISCOURSE_REVOKE_BADGE = "discourse.revoke_badge"  # {"username", "badge_id", "grant_id"?}
DISCOURSE_ADD_TO_GROUP = "discourse.add_to_group"  # {"username", "group"}
DISCOURSE_REMOVE_FROM_GROUP = "discourse.remove_from_group"  # {"username", "group"}
DISCOURSE_ADD_GROUP_OWNER = "discourse.add_group_owner"  # {"username", "group"}
# {"raw", "title"?, "topic_id"?, "target_recipients"?, "archetype"?}: a forum post, PM or reply
DISCOURSE_POST = "discourse.post"
# {"topic_id"}: the directory topic's first post, redrawn from the listed profiles at delivery
# (bot/program/public/forum_topic.py), so a retry never sends an older directory than the current one.
DISCOURSE_EDIT_DIRECTORY = "discourse.edit_directory"

# A payload key with an ISO instant after which the action is pointless (an event reminder once the
# event has started): the worker checks it before every attempt, a retry after a crash included.
NOT_AFTER = "not_after"


def too_late(payload: dict[str, Any], now: datetime) -> bool:
    at = payload.get(NOT_AFTER)
    return isinstance(at, str) and now >= datetime.fromisoformat(at)


# A payload key listing other keys whose values are secret (a one-time code): once the row is
# delivered or has failed for good, those values are replaced, so the code is not kept at rest.
REDACT_AFTER = "redact_after_delivery"
REDACTED = "[sent; redacted]"


def redacted(payload: dict[str, Any]) -> dict[str, Any] | None:
    """The payload with its secret values replaced, or None when it has none."""
    keys = payload.get(REDACT_AFTER)
    if not keys:
        return None
    return {k: (REDACTED if k in keys else v) for k, v in payload.items()}


KINDS = (
    SLACK_POST,
    SLACK_DM,
    SLACK_UPDATE,
    SLACK_HOME,
    SLACK_FILE,
    DISCOURSE_GRANT_BADGE,
    DISCOURSE_REVOKE_BADGE,
    DISCOURSE_ADD_TO_GROUP,
    DISCOURSE_REMOVE_FROM_GROUP,
    DISCOURSE_ADD_GROUP_OWNER,
    DISCOURSE_POST,
    DISCOURSE_EDIT_DIRECTORY,
)


def _known(kind: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"unknown outbox kind {kind}")


async def queue(uow: UnitOfWork, key: str, kind: str, payload: dict[str, Any], now: datetime) -> None:
    _known(kind)
    await uow.outbox.enqueue(key, kind, payload, now)
    uow.outbox_written = True


async def queue_many(uow: UnitOfWork, rows: list[tuple[str, str, dict[str, Any], datetime]]) -> None:
    """`queue` of many rows (key, kind, payload, now) in one statement."""
    for _key, kind, _payload, _now in rows:
        _known(kind)
    await uow.outbox.enqueue_many(rows)
    uow.outbox_written = uow.outbox_written or bool(rows)


def message_payload(message: Message, **where: Any) -> dict[str, Any]:
    """A Slack row's payload: where it goes (`channel`, `user`, `ts`, …), the message's kind as its
    template and its encoded data."""
    return {**where, "template": message.kind, "data": encode(message)}


async def post(
    uow: UnitOfWork, key: str, channel: str, message: Message, now: datetime, **extra: Any
) -> None:
    """Post `message` in a channel (`extra`: `on_delivered`, `not_after`, … kept in the payload)."""
    await queue(uow, key, SLACK_POST, message_payload(message, channel=channel, **extra), now)


async def dm(uow: UnitOfWork, key: str, user: str, message: Message, now: datetime, **extra: Any) -> None:
    """Send `message` to one person, in the bot's direct-message channel with them."""
    await queue(uow, key, SLACK_DM, message_payload(message, user=user, **extra), now)


async def update(
    uow: UnitOfWork, key: str, at: MessageRef, message: Message, now: datetime, **extra: Any
) -> None:
    """Redraw a message the bot posted before (a review card once it is decided)."""
    where = message_payload(message, channel=at.channel, ts=at.id, **extra)
    await queue(uow, key, SLACK_UPDATE, where, now)


async def redraw(
    uow: UnitOfWork,
    key: str,
    posted: MessageRef | None,
    ref: MessageRef | None,
    message: Message,
    now: datetime,
) -> None:
    """Redraw a card where the bot recorded posting it, else in the message the click came from;
    not at all when neither is known (nobody can have clicked it)."""
    at = posted or ref
    if at is not None:
        await update(uow, key, at, message, now)


async def forum_post(
    uow: UnitOfWork,
    key: str,
    message: Message,
    now: datetime,
    *,
    topic_id: int | None = None,
    reply_to: int | None = None,
    recipients: str | None = None,
    **extra: Any,
) -> None:
    """Post `message` on the forum: a reply in `topic_id` (to post `reply_to`), a private
    message to `recipients` (comma-separated usernames), or a new topic (in the `category=` id an
    `extra` may give); the forum renderer makes its title and Markdown."""
    where: dict[str, Any] = {}
    if topic_id is not None:
        where["topic_id"] = topic_id
    if reply_to is not None:
        where["reply_to_post_number"] = reply_to
    if recipients:
        where["target_recipients"] = recipients
        where["archetype"] = "private_message"
    await queue(uow, key, DISCOURSE_POST, message_payload(message, **where, **extra), now)
