"""What grants, forum webhooks and sync share: the base of the two forum-side services, finding
the person a forum account belongs to, and the steps that record a badge grant or queue one."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Generic, TypeVar

from bot.program import audit, outbox
from bot.program.permissions import ServiceDeps
from storage.enums import BadgeGrantStatus
from storage.forum import BadgeGrant
from storage.models import Person
from storage.uow import UnitOfWork

P = TypeVar("P")


class ForumSideService(Generic[P]):
    """The base of the services that follow the forum (webhooks, sync): built from the shared
    `ServiceDeps` and the port that reads the forum (`P`; None without a forum). No guard: what
    the forum tells has no actor to check."""

    def __init__(self, deps: ServiceDeps, forum: P | None) -> None:
        self._uow = deps.uow
        self._settings = deps.settings
        self._forum = forum
        self._clock = deps.clock
        self._signal = deps.signal


async def linked_person(uow: UnitOfWork, username: str, user_id: int | None) -> Person | None:
    """The person this forum account belongs to, only once it is linked (proven or vouched); the
    forum user id is noted on the person the first time it is seen."""
    person = await uow.forum.person_by_forum_user_id(user_id) if user_id is not None else None
    if person is None:
        person = await uow.people.by_forum_username(username)
    if person is None or person.forum_linked_at is None:
        return None
    if user_id is not None and person.forum_user_id is None:
        person.forum_user_id = user_id
    return person


async def record_forum_grant(
    uow: UnitOfWork, person_id: int, badge_id: int, badge_name: str, user_badge_id: int, now: datetime
) -> None:
    """A badge the forum shows the person holding, recorded as granted there."""
    await uow.badges.add(
        BadgeGrant(
            person_id=person_id,
            badge_id=badge_id,
            badge_name=badge_name,
            forum_user_badge_id=user_badge_id,
            source="forum",
            status=BadgeGrantStatus.GRANTED,
            granted_at=now,
            created_at=now,
        )
    )


def mark_granted(grant: BadgeGrant, user_badge_id: int, now: datetime | None) -> None:
    """A grant on record, granted on the forum under `user_badge_id`; `now` stamps its grant time
    when it has none yet (None: leave the time as it is)."""
    grant.forum_user_badge_id, grant.status = user_badge_id, BadgeGrantStatus.GRANTED
    if now is not None:
        grant.granted_at = grant.granted_at or now


async def queue_badge_change(
    uow: UnitOfWork,
    key: str,
    kind: str,
    username: str | None,
    badge_id: int,
    grant_id: int,
    now: datetime,
    **extra: Any,
) -> None:
    """Queue the forum call that grants (`outbox.DISCOURSE_GRANT_BADGE`) or revokes
    (`outbox.DISCOURSE_REVOKE_BADGE`) a badge, for the grant on record; `extra`: a grant's `reason`."""
    payload: dict[str, Any] = {"username": username, "badge_id": badge_id, "grant_id": grant_id}
    await outbox.queue(uow, key, kind, {**payload, **extra}, now)


async def grant_by_bot(
    uow: UnitOfWork,
    key: str | Callable[[BadgeGrant], str],
    person_id: int,
    username: str | None,
    badge_id: int,
    badge_name: str,
    now: datetime,
    **extra: Any,
) -> BadgeGrant:
    """A badge the bot grants: recorded as pending and the forum call queued under `key` (the
    outbox worker records it as granted once the forum has it). `key` may be made from the new
    grant (its id)."""
    grant = await uow.badges.add(
        BadgeGrant(
            person_id=person_id,
            badge_id=badge_id,
            badge_name=badge_name,
            source="bot",
            status=BadgeGrantStatus.PENDING,
            created_at=now,
        )
    )
    key = key if isinstance(key, str) else key(grant)
    await queue_badge_change(
        uow, key, outbox.DISCOURSE_GRANT_BADGE, username, badge_id, grant.id, now, **extra
    )
    return grant


async def audit_person(
    uow: UnitOfWork,
    now: datetime,
    actor: str,
    platform: str,
    action: str,
    person_id: int,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """The audit row of a change to one person's badges, forum link or onboarding."""
    await audit.log(
        uow, now, actor, action, ("person", person_id), before=before, after=after, platform=platform
    )
