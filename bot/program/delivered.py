"""What the records learn from a delivered (or finally failed) outbox row.

The outbox worker (bot.platforms) calls `record_delivery` in the transaction that marks a row done,
and `record_failure` in the one that marks it failed for good: a review card's message id is kept,
a badge grant is marked granted, a forum group membership recorded, and a report that waits on a
batch of deliveries is posted once the batch is through. Apart from bot.program.outbox so that
queueing a message needs none of the features these follow-ups know about.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.program import outbox
from bot.program.groups import reports as group_reports
from bot.program.messages import Notice
from bot.program.outbox import (
    DISCOURSE_ADD_TO_GROUP,
    DISCOURSE_GRANT_BADGE,
    DISCOURSE_REMOVE_FROM_GROUP,
    DISCOURSE_REVOKE_BADGE,
)
from storage.enums import BadgeGrantStatus, MembershipStatus
from storage.uow import UnitOfWork


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
    await outbox.post(uow, key, str(follow["channel"]), Notice(report.text), now)


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
