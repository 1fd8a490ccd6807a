"""The audit trail: `/ambassador audit @user` (the refusals in it are written by permissions.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.program.errors import NotFound
from bot.program.permissions import Guard, Permission, ServiceDeps, Subject
from storage.enums import Platform
from storage.uow import UnitOfWork


async def log(
    uow: UnitOfWork,
    now: datetime,
    actor: str,
    action: str,
    subject: tuple[str, str | int],
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    platform: str = Platform.SLACK,
) -> None:
    """One line of the audit trail, in the caller's unit of work: who did what to which subject
    (its type and id), from where (most changes come from Slack), and the values before and after."""
    subject_type, subject_id = subject
    await uow.audit.record(
        at=now,
        actor=actor,
        platform=platform,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        before=before,
        after=after,
    )


AUDIT_LIMIT = 20
REFUSAL_SUBJECT = "slack_user"  # the subject type of a refusal aimed at a person


@dataclass(frozen=True)
class AuditLine:
    at: datetime
    actor: str
    platform: str
    action: str
    subject_type: str
    subject_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


@dataclass(frozen=True)
class AuditReport:
    slack_user_id: str
    name: str
    lines: tuple[AuditLine, ...]


class AuditService:
    """What happened to a person. "About a person" means entries whose subject is the person
    (term, onboarding, profile, forum link, refusals aimed at them), one of their applications, or
    one of the nominations naming them. Actions the person took on others are not included."""

    def __init__(self, deps: ServiceDeps) -> None:
        self._uow = deps.uow
        self._guard = deps.guard or Guard(deps.uow, deps.roles, deps.clock)

    async def about(self, actor: str, slack_user_id: str, limit: int = AUDIT_LIMIT) -> AuditReport:
        await self._guard.require(actor, Permission.AUDIT_READ, Subject(slack_user_id))
        async with self._uow() as uow:
            person = await uow.people.by_slack_id(slack_user_id)
            nomination_ids = await uow.nominations.ids_about(slack_user_id)
            app_ids = await uow.lifecycle.application_ids(person.id) if person else []
            entries = list(
                await uow.lifecycle.audit_about(person.id if person else -1, app_ids, nomination_ids, limit)
            )
            # Refusals aimed at the person: the guard records them with the Slack user id as the
            # subject (permissions.py RULES, subject type "slack_user"), not the person's row id.
            entries += [
                e
                for e in await uow.audit.latest(limit, subject_id=slack_user_id)
                if e.subject_type == REFUSAL_SUBJECT
            ]
            if not entries:
                raise NotFound(f"There is nothing in the audit log about <@{slack_user_id}>.")
            newest = sorted({e.id: e for e in entries}.values(), key=lambda e: e.id, reverse=True)
            lines = tuple(
                AuditLine(
                    e.at, e.actor, e.platform, e.action, e.subject_type, e.subject_id, e.before, e.after
                )
                for e in newest[:limit]
            )
            return AuditReport(slack_user_id, person.display_name if person else "", lines)
