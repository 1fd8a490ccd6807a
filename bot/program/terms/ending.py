"""What ending a term (a lapse, stepping down) records and takes away on the forum: the audit
entry of the move to alumni, and the ambassador badge and the membership of the ambassadors'
group, queued as outbox rows."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from bot.config import DiscourseSettings
from bot.program import outbox
from storage.enums import AmbassadorStatus, Platform
from storage.uow import UnitOfWork

# The badge revocations to queue for a badge id: (row key, what the payload adds to username and
# badge_id, e.g. the grant id).
Revocations = Callable[[UnitOfWork, int], Awaitable[list[tuple[str, dict[str, object]]]]]


async def remove_from_forum(
    uow: UnitOfWork,
    d: DiscourseSettings,
    key: str,
    username: str | None,
    revocations: Revocations,
    now: datetime,
) -> int:
    """Queue the badge revocations and the group removal of forum user `username` (nothing without
    a forum account or with the forum off); how many rows were queued."""
    if not d.enabled or not username:
        return 0
    queued = 0
    if d.ambassador_badge_id is not None:
        for row_key, grant in await revocations(uow, d.ambassador_badge_id):
            payload = {"username": username, "badge_id": d.ambassador_badge_id, **grant}
            await outbox.queue(uow, row_key, outbox.DISCOURSE_REVOKE_BADGE, payload, now)
            queued += 1
    if d.ambassador_group:
        payload = {"username": username, "group": d.ambassador_group}
        await outbox.queue(uow, f"{key}:group", outbox.DISCOURSE_REMOVE_FROM_GROUP, payload, now)
        queued += 1
    return queued


async def record_term_end(
    uow: UnitOfWork,
    now: datetime,
    actor: str,
    platform: Platform,
    action: str,
    person_id: int,
    term_end: datetime,
    ended_at: datetime | None = None,
) -> None:
    """The audit entry of an ambassador moved to alumni (`ended_at`: the term was cut short)."""
    after: dict[str, object] = {"status": AmbassadorStatus.ALUMNI}
    if ended_at is not None:
        after["term_end"] = ended_at.isoformat()
    await uow.audit.record(
        at=now,
        actor=actor,
        platform=platform,
        action=action,
        subject_type="person",
        subject_id=person_id,
        before={"status": AmbassadorStatus.ACTIVE, "term_end": term_end.isoformat()},
        after=after,
    )
