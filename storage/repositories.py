"""The repositories of the core tables (storage/models.py): people, applications, ambassadors,
onboarding steps, the outbox, inbound deliveries seen and the audit log. A feature's own tables
have their repository beside them in `storage/<feature>.py`; both are the only SQL the service
layer runs, bound on one unit of work (storage/uow.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Select, Table, and_, bindparam, func, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import CursorResult

from storage.enums import OUTBOX_WAITING, ApplicationStatus, OutboxStatus
from storage.models import (
    Ambassador,
    Application,
    AuditEntry,
    OnboardingStep,
    OutboxMessage,
    Person,
    ProcessedEvent,
)
from storage.repository import Repository


def checklist(ambassador_id: int) -> Select[OnboardingStep]:
    """An ambassador's onboarding steps in checklist order."""
    return (
        select(OnboardingStep)
        .where(OnboardingStep.ambassador_id == ambassador_id)
        .order_by(OnboardingStep.position, OnboardingStep.id)
    )


_NEWEST_FIRST = (Application.submitted_at.desc(), Application.id.desc())


def latest_application(person_id: int) -> Select[Application]:
    """The person's most recent application (at most one row)."""
    return select(Application).where(Application.person_id == person_id).order_by(*_NEWEST_FIRST).limit(1)


Standing = tuple[Person, Ambassador | None, Application | None]

_LATEST_APPLICATION_ID = (
    select(Application.id)
    .where(Application.person_id == Person.id)
    .order_by(*_NEWEST_FIRST)
    .limit(1)
    .correlate(Person)
    .scalar_subquery()
)
# `PeopleRepo.standing`: built once; a request only binds the Slack user id.
_STANDING = (
    select(Person, Ambassador, Application)
    .outerjoin(Ambassador, Ambassador.person_id == Person.id)
    .outerjoin(Application, Application.id == _LATEST_APPLICATION_ID)
    .where(Person.slack_user_id == bindparam("slack_user_id"))
)


class PeopleRepo(Repository):
    async def by_slack_id(self, slack_user_id: str) -> Person | None:
        return await self._one(select(Person).where(Person.slack_user_id == slack_user_id))

    async def standing(self, slack_user_id: str) -> Standing | None:
        """The person, their ambassador record and their latest application, in one statement
        (`/ambassador status`, a quarter of the commands: one round trip instead of three)."""
        row = (await self.s.execute(_STANDING, {"slack_user_id": slack_user_id})).first()
        return None if row is None else (row[0], row[1], row[2])

    async def by_forum_username(self, username: str) -> Person | None:
        stmt = select(Person).where(func.lower(Person.forum_username) == username.lower())
        return await self._one(stmt)

    async def get(self, person_id: int) -> Person | None:
        return await self.s.get(Person, person_id)

    async def get_or_create_slack(self, slack_user_id: str, display_name: str = "") -> Person:
        person = await self.by_slack_id(slack_user_id)
        if person is None:
            person = await self._add(Person(slack_user_id=slack_user_id, display_name=display_name))
        return person


class ApplicationRepo(Repository):
    async def get(self, app_id: int) -> Application | None:
        return await self.s.get(Application, app_id)

    async def add(self, app: Application) -> Application:
        return await self._add(app)

    async def pending_for(self, person_id: int) -> Application | None:
        stmt = select(Application).where(Application.pending_person_id == person_id)
        return await self._one(stmt)

    async def pending_by_forum_username(self, username: str) -> Application | None:
        stmt = select(Application).where(
            Application.status == ApplicationStatus.PENDING,
            func.lower(Application.forum_username) == username.lower(),
        )
        return await self._first(stmt)

    async def decide(
        self, app_id: int, status: ApplicationStatus, by: str, at: datetime, reason: str | None
    ) -> bool:
        """Move a pending application to `status`. False when someone else decided first."""
        decided = {"status": status, "decided_by": by, "decided_at": at, "decision_reason": reason}
        return await self._transition(
            Application, app_id, ApplicationStatus.PENDING, pending_person_id=None, **decided
        )

    async def set_review_message(self, app_id: int, channel: str, ts: str) -> None:
        await self.s.execute(
            update(Application).where(Application.id == app_id).values(review_channel=channel, review_ts=ts)
        )

    async def count_by_status(self) -> dict[str, int]:
        return await self._count_by(Application.status)


class AmbassadorRepo(Repository):
    async def for_person(self, person_id: int) -> Ambassador | None:
        return await self._one(select(Ambassador).where(Ambassador.person_id == person_id))

    async def add(self, amb: Ambassador) -> Ambassador:
        return await self._add(amb)


class OnboardingRepo(Repository):
    async def steps(self, ambassador_id: int) -> Sequence[OnboardingStep]:
        return await self._all(checklist(ambassador_id))

    async def unfinished(self, ambassador_ids: Sequence[int]) -> dict[int, list[OnboardingStep]]:
        """The open steps of many ambassadors at once, in checklist order (chunked for big programs)."""
        found: dict[int, list[OnboardingStep]] = {}
        ids = list(ambassador_ids)
        for i in range(0, len(ids), 500):
            stmt = (
                select(OnboardingStep)
                .where(
                    OnboardingStep.ambassador_id.in_(ids[i : i + 500]), OnboardingStep.completed_at.is_(None)
                )
                .order_by(OnboardingStep.ambassador_id, OnboardingStep.position, OnboardingStep.id)
            )
            for step in (await self.s.execute(stmt)).scalars():
                found.setdefault(step.ambassador_id, []).append(step)
        return found

    async def ensure(self, ambassador_id: int, key: str, title: str, completes: str, position: int) -> None:
        stmt = select(OnboardingStep).where(
            OnboardingStep.ambassador_id == ambassador_id, OnboardingStep.key == key
        )
        if await self._one(stmt) is None:
            self.s.add(
                OnboardingStep(
                    ambassador_id=ambassador_id, key=key, title=title, completes=completes, position=position
                )
            )
            await self.s.flush()

    async def complete(self, ambassador_id: int, key: str, by: str, at: datetime) -> bool:
        step = (OnboardingStep.ambassador_id == ambassador_id, OnboardingStep.key == key)
        still_open = OnboardingStep.completed_at.is_(None)
        return await self._update_one(OnboardingStep, *step, still_open, completed_at=at, completed_by=by)


class OutboxRepo(Repository):
    async def enqueue(self, key: str, kind: str, payload: dict[str, Any], at: datetime) -> OutboxMessage:
        status = OutboxStatus.PENDING
        msg = OutboxMessage(
            key=key, kind=kind, payload=payload, status=status, next_attempt_at=at, created_at=at
        )
        return await self._add(msg)

    async def enqueue_many(self, rows: Sequence[tuple[str, str, dict[str, Any], datetime]]) -> None:
        """`enqueue` of many rows (key, kind, payload, at) in one INSERT (a sweep's batch)."""
        if not rows:
            return
        pending = OutboxStatus.PENDING
        values = [
            {"key": k, "kind": kd, "payload": p, "status": pending, "next_attempt_at": at, "created_at": at}
            for k, kd, p, at in rows
        ]
        await self.s.execute(insert(OutboxMessage), values)

    async def due(self, now: datetime, limit: int) -> list[tuple[int, str]]:
        """(id, kind) of rows due for delivery, oldest first."""
        stmt = (
            select(OutboxMessage.id, OutboxMessage.kind)
            .where(
                OutboxMessage.status.in_(OUTBOX_WAITING),
                OutboxMessage.next_attempt_at <= now,
                or_(OutboxMessage.locked_until.is_(None), OutboxMessage.locked_until < now),
            )
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(limit)
        )
        return [(int(row[0]), str(row[1])) for row in (await self.s.execute(stmt)).all()]

    async def claim(self, msg_id: int, worker: str, now: datetime, lease: timedelta) -> bool:
        """Take a lease on one row; only one worker (of any replica) wins."""
        return await self._update_one(
            OutboxMessage,
            OutboxMessage.id == msg_id,
            OutboxMessage.status.in_(OUTBOX_WAITING),
            or_(OutboxMessage.locked_until.is_(None), OutboxMessage.locked_until < now),
            status=OutboxStatus.IN_FLIGHT,
            locked_until=now + lease,
            locked_by=worker,
            attempts=OutboxMessage.attempts + 1,
        )

    async def get(self, msg_id: int) -> OutboxMessage | None:
        return await self._one(select(OutboxMessage).where(OutboxMessage.id == msg_id))

    async def finish(self, msg_id: int, worker: str, **values: Any) -> bool:
        held = (OutboxMessage.id == msg_id, OutboxMessage.locked_by == worker)
        return await self._update_one(OutboxMessage, *held, locked_until=None, **values)

    async def with_key_prefix(self, prefix: str) -> Sequence[OutboxMessage]:
        stmt = (
            select(OutboxMessage)
            .where(OutboxMessage.key.startswith(prefix, autoescape=True))
            .order_by(OutboxMessage.id)
            .execution_options(populate_existing=True)
        )
        return await self._all(stmt)

    async def stats(self, now: datetime) -> dict[str, Any]:
        counts = await self._count_by(OutboxMessage.status)
        oldest = (
            await self.s.execute(
                select(func.min(OutboxMessage.created_at)).where(OutboxMessage.status.in_(OUTBOX_WAITING))
            )
        ).scalar_one_or_none()
        return {"counts": counts, "oldest_pending": oldest}

    async def failures(self, limit: int = 20) -> Sequence[OutboxMessage]:
        stmt = (
            select(OutboxMessage)
            .where(
                or_(
                    OutboxMessage.status == OutboxStatus.FAILED,
                    and_(
                        OutboxMessage.status.in_(OUTBOX_WAITING),
                        OutboxMessage.last_error.is_not(None),
                    ),
                )
            )
            .order_by(OutboxMessage.id.desc())
            .limit(limit)
        )
        return await self._all(stmt)

    async def retry_failed(self, now: datetime) -> int:
        again = {"status": OutboxStatus.PENDING, "attempts": 0, "next_attempt_at": now, "locked_until": None}
        return await self._update(OutboxMessage, OutboxMessage.status == OutboxStatus.FAILED, **again)


class DeliveryRepo(Repository):
    """Inbound deliveries already handled (a webhook, a Slack retry, a nightly job), so that a
    second delivery of the same thing does nothing. Meetups and their reminders are `CalendarRepo`."""

    async def first_time(self, source: str, key: str, at: datetime) -> bool:
        """Record an inbound event; False if it was seen before (a retry or duplicate).

        One `INSERT … ON CONFLICT DO NOTHING` on the (source, key) unique constraint: a twin
        racing in another transaction waits for it and then inserts nothing, so exactly one of
        them is first, without a look-up or a savepoint around the write. The statement is built
        once per dialect; each delivery only binds its values."""
        stmt = _FIRST_TIME[self.s.get_bind().dialect.name == "postgresql"]
        result = cast(CursorResult[Any], await self.s.execute(stmt, {"source": source, "key": key, "at": at}))
        return result.rowcount == 1


_EVENTS = cast(Table, ProcessedEvent.__table__)
# (SQLite's, PostgreSQL's) statement of `DeliveryRepo.first_time`.
_FIRST_TIME = tuple(
    insert(_EVENTS)
    .values(
        source=bindparam("source", type_=_EVENTS.c.source.type),
        key=bindparam("key", type_=_EVENTS.c.key.type),
        received_at=bindparam("at", type_=_EVENTS.c.received_at.type),
    )
    .on_conflict_do_nothing()
    for insert in (sqlite_insert, postgresql_insert)
)


class AuditRepo(Repository):
    async def record(
        self,
        *,
        at: datetime,
        actor: str,
        platform: str,
        action: str,
        subject_type: str,
        subject_id: str | int,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
    ) -> None:
        self.s.add(
            AuditEntry(
                at=at,
                actor=actor,
                platform=platform,
                action=action,
                subject_type=subject_type,
                subject_id=str(subject_id),
                before=before,
                after=after,
            )
        )

    async def latest(self, limit: int = 20, subject_id: str | None = None) -> Sequence[AuditEntry]:
        stmt = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
        if subject_id is not None:
            stmt = stmt.where(AuditEntry.subject_id == subject_id)
        return await self._all(stmt)
