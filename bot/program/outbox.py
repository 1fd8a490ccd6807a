"""Outbound actions, written as outbox rows inside the caller's unit of work.

Each row has a unique key so the same action can never be queued twice; the worker in
bot/platforms delivers it and calls `record_delivery` in the transaction that marks it done.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.program.groups import reports as group_reports
from storage.enums import BadgeGrantStatus, MembershipStatus
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
)


async def queue(uow: UnitOfWork, key: str, kind: str, payload: dict[str, Any], now: datetime) -> None:
    if kind not in KINDS:
        raise ValueError(f"unknown outbox kind {kind}")
    await uow.outbox.enqueue(key, kind, payload, now)
    uow.outbox_written = True


async def record_failure(uow: UnitOfWork, kind: str, payload: dict[str, Any], now: datetime) -> None:
    """A delivery failed for good (the row is marked failed in this unit of work): reports that
    wait on it are told."""
    follow = payload.get("on_delivered") or {}
    if follow.get("type") == "group_recognition":
        await _recognition_finished(uow, follow, now)


async def _recognition_finished(uow: UnitOfWork, follow: dict[str, Any], now: datetime) -> None:
    """One leader's recognition message is delivered or has failed; when none is left on its way,
    the review channel gets the report of who got it and who did not. Once per outcome: a failed
    delivery retried later (`ambassador-bot outbox retry`) brings a new report only if it changed."""
    group_id = int(follow["group_id"])
    report = await group_reports.recognition_report(uow, group_id)
    if report is None or not follow.get("channel"):
        return
    key = f"group:{group_id}:recognition-report:{report.delivered}-of-{report.total}"
    if any(row.key == key for row in await uow.outbox.with_key_prefix(key)):
        return
    await queue(
        uow,
        key,
        SLACK_POST,
        {"channel": str(follow["channel"]), "template": "notice", "data": {"text": report.text}},
        now,
    )


async def record_delivery(
    uow: UnitOfWork, kind: str, payload: dict[str, Any], result: dict[str, Any], now: datetime
) -> None:
    """Bring the records in line with what the platform now holds."""
    follow = payload.get("on_delivered") or {}
    if follow.get("type") == "application_review" and result.get("ts"):
        await uow.applications.set_review_message(
            int(follow["application_id"]), result["channel"], result["ts"]
        )
    if follow.get("type") == "group_message" and result.get("ts"):
        await uow.groups.set_message(
            int(follow["group_id"]), str(follow["slot"]), result["channel"], result["ts"]
        )
    if follow.get("type") == "group_recognition":
        await _recognition_finished(uow, follow, now)
    if follow.get("type") == "request_review" and result.get("ts"):
        await uow.requests.set_review_message(int(follow["request_id"]), result["channel"], result["ts"])
    if follow.get("type") == "nomination_review" and result.get("ts"):
        await uow.nominations.set_review_message(
            int(follow["nomination_id"]), result["channel"], result["ts"]
        )
    if kind == DISCOURSE_GRANT_BADGE and payload.get("grant_id") is not None:
        grant = await uow.badges.get(int(payload["grant_id"]))
        if grant is not None:
            grant.status = BadgeGrantStatus.GRANTED
            grant.granted_at = grant.granted_at or now
            if result.get("user_badge_id") is not None:
                grant.forum_user_badge_id = int(result["user_badge_id"])
    if kind in (DISCOURSE_ADD_TO_GROUP, DISCOURSE_REMOVE_FROM_GROUP):
        username, group = str(payload["username"]), str(payload["group"])
        person = await uow.people.by_forum_username(username)
        status = MembershipStatus.MEMBER if kind == DISCOURSE_ADD_TO_GROUP else MembershipStatus.REMOVED
        await uow.forum.set_membership(group, username, person.id if person else None, status, "bot", now)
    if kind == DISCOURSE_REVOKE_BADGE and payload.get("grant_id") is not None:
        grant = await uow.badges.get(int(payload["grant_id"]))
        if grant is not None:
            grant.status = BadgeGrantStatus.REVOKED
            grant.revoked_at = grant.revoked_at or now
