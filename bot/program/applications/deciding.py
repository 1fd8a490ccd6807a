"""Deciding an application: a moderator approves (a new term, or a renewed one) or rejects it.

Both decisions are one step (`_settle`): the moderator check, the application leaves pending
exactly once (a conditional UPDATE, so of two moderators clicking at once one wins), what the
decision brings (the term and the onboarding actions, or the rejection DM), the review card
redrawn as decided and the applicant's Home tab refreshed — all in one unit of work.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from bot.program import home, outbox
from bot.program.applications.base import ApplicationBase, record, step_of
from bot.program.applications.form import validate_reason
from bot.program.applications.messages import Rejected, Welcome
from bot.program.applications.results import DecisionResult
from bot.program.badges.records import grant_by_bot
from bot.program.errors import Conflict
from bot.program.messages import MessageRef
from bot.program.onboarding.announce import queue_announcement
from bot.program.onboarding.steps import tick_profile_step
from bot.program.permissions import Permission, Subject
from bot.program.terms.messages import Renewed
from storage.enums import AmbassadorStatus, ApplicationStatus
from storage.models import Ambassador, Application
from storage.uow import UnitOfWork

PERMISSION = {
    ApplicationStatus.APPROVED: Permission.APPLICATION_APPROVE,
    ApplicationStatus.REJECTED: Permission.APPLICATION_REJECT,
}
# What a decision brings, in the decision's unit of work: the term's end when it starts or renews one.
Consequence = Callable[[UnitOfWork, Application, str, datetime], Awaitable[datetime | None]]


class ApplicationDecisions(ApplicationBase):
    async def approve(self, app_id: int, moderator: str, ref: MessageRef | None = None) -> DecisionResult:
        return await self._settle(app_id, moderator, ApplicationStatus.APPROVED, None, ref, self._approved)

    async def reject(
        self, app_id: int, moderator: str, reason: str, ref: MessageRef | None = None
    ) -> DecisionResult:
        reason = validate_reason(reason)

        async def rejected(uow: UnitOfWork, app: Application, _moderator: str, now: datetime) -> None:
            if app.person.slack_user_id:
                message = Rejected(name=app.name, reason=reason, program=self._settings.program.name)
                await outbox.dm(uow, f"application:{app.id}:rejected", app.person.slack_user_id, message, now)

        return await self._settle(app_id, moderator, ApplicationStatus.REJECTED, reason, ref, rejected)

    async def ensure_moderator(self, actor: str, app_id: int) -> None:
        """Check before opening the reject modal, so a non-moderator sees a refusal at once."""
        async with self._uow() as uow:
            await self._guard.require(actor, Permission.APPLICATION_REJECT, Subject(app_id))
            await self._load_pending(uow, app_id)

    async def _settle(
        self,
        app_id: int,
        moderator: str,
        status: ApplicationStatus,
        reason: str | None,
        ref: MessageRef | None,
        consequence: Consequence,
        check_moderator: bool = True,
    ) -> DecisionResult:
        """The one decision step of approve and reject (see the module docstring)."""
        if check_moderator:
            await self._guard.require(moderator, PERMISSION[status], Subject(app_id))
        now = self._clock.now()
        async with self._uow() as uow:
            app = await self._load_pending(uow, app_id)
            if not await uow.applications.decide(app_id, status, moderator, now, reason):
                raise Conflict(f"Application #{app_id} was decided by someone else a moment ago.")
            after: dict[str, object] = {"status": status, **({"reason": reason} if reason else {})}
            before = {"status": ApplicationStatus.PENDING}
            await record(uow, now, moderator, f"application.{status}", ("application", app.id), before, after)
            reviewed_end = await self._current_term_end(uow, app)
            term_end = await consequence(uow, app, moderator, now)
            await self._queue_review_update(uow, app, status, moderator, reason, ref, now, reviewed_end)
            if app.kind != "renewal":  # a renewal leaves the Home tab as it was
                await home.queue_refresh(uow, self._settings, self._roles, app.person.slack_user_id, now)
            result = DecisionResult(
                app.id, app.person.slack_user_id, status, moderator, term_end, app.kind == "renewal"
            )
        self._signal.kick()
        return result

    async def _current_term_end(self, uow: UnitOfWork, app: Application) -> datetime | None:
        """A renewal's term end as the moderators reviewed it (None for an application)."""
        if app.kind != "renewal":
            return None
        amb = await uow.ambassadors.for_person(app.person_id)
        return amb.term_end if amb is not None else None

    async def _approved(self, uow: UnitOfWork, app: Application, moderator: str, now: datetime) -> datetime:
        if app.kind == "renewal":
            return await self._renew(uow, app, moderator, now)
        person = app.person
        person.forum_username = app.forum_username
        # The approving moderator vouches for the forum account named in the application.
        person.forum_linked_at = person.forum_linked_at or now
        term_end = self._settings.program.term_end(now)
        amb = await uow.ambassadors.for_person(person.id)
        before = None
        if amb is None:
            amb = await uow.ambassadors.add(
                Ambassador(
                    person_id=person.id,
                    status=AmbassadorStatus.ACTIVE,
                    term_start=now,
                    term_end=term_end,
                    application_id=app.id,
                    created_at=now,  # the clock's time: the report counts who is new by it
                    updated_at=now,
                )
            )
        else:  # an alumnus coming back: a fresh term
            before = {"status": amb.status, "term_end": amb.term_end.isoformat()}
            amb.status, amb.term_start, amb.term_end, amb.application_id = (
                AmbassadorStatus.ACTIVE,
                now,
                term_end,
                app.id,
            )
        for pos, step in enumerate(self._settings.program.onboarding):
            await uow.onboarding.ensure(amb.id, step.key, step.title, step.completes, pos)
        # A profile saved before the approval already does what the profile step asks.
        by = person.slack_user_id or moderator
        await tick_profile_step(uow, self._settings, self._roles, person, by, now)
        await self._term_recorded(uow, now, moderator, "ambassador.term_started", person.id, before, amb)
        await self._queue_onboarding_actions(uow, app, amb, now)
        return amb.term_end

    async def _renew(self, uow: UnitOfWork, app: Application, moderator: str, now: datetime) -> datetime:
        """An approved renewal extends the term from its current end (or from now, if it ended)."""
        person = app.person
        amb = await uow.ambassadors.for_person(person.id)
        if amb is None:
            raise Conflict("There is no term to renew.")
        before = {"status": amb.status, "term_end": amb.term_end.isoformat()}
        amb.term_end = self._settings.program.term_end(max(amb.term_end, now))
        amb.status = AmbassadorStatus.ACTIVE
        await self._term_recorded(uow, now, moderator, "ambassador.term_renewed", person.id, before, amb)
        if person.slack_user_id:
            renewed = Renewed(amb.term_end, app.name, self._settings.program.name)
            await outbox.dm(uow, f"application:{app.id}:renewed", person.slack_user_id, renewed, now)
        return amb.term_end

    async def _term_recorded(
        self,
        uow: UnitOfWork,
        now: datetime,
        moderator: str,
        action: str,
        person_id: int,
        before: dict[str, Any] | None,
        amb: Ambassador,
    ) -> None:
        after = {"status": AmbassadorStatus.ACTIVE, "term_end": amb.term_end.isoformat()}
        await record(uow, now, moderator, action, ("person", person_id), before, after)

    async def _queue_onboarding_actions(
        self, uow: UnitOfWork, app: Application, amb: Ambassador, now: datetime
    ) -> None:
        """The configured onboarding: the forum badge and group, then the welcome DM."""
        d = self._settings.discourse
        key = f"application:{app.id}"
        if d.enabled and d.ambassador_badge_id is not None:
            badge = self._settings.program.badge_name
            await grant_by_bot(
                uow, f"{key}:badge", app.person_id, app.forum_username, d.ambassador_badge_id, badge, now
            )
        if d.enabled and d.ambassador_group:
            group = {"username": app.forum_username, "group": d.ambassador_group}
            await outbox.queue(uow, f"{key}:group", outbox.DISCOURSE_ADD_TO_GROUP, group, now)
        if app.person.slack_user_id:
            links = {s.key: s.link for s in self._settings.program.onboarding}
            steps = [step_of(s, links.get(s.key, "")) for s in await uow.onboarding.steps(amb.id)]
            welcome = Welcome(
                name=app.name,
                program=self._settings.program.name,
                term_end=amb.term_end.isoformat(),
                guidelines_url=self._settings.program.guidelines_url,
                ambassador_channel=self._settings.slack.ambassador_channel,
                steps=tuple(steps),
            )
            await outbox.dm(uow, f"{key}:welcome", app.person.slack_user_id, welcome, now)
        await queue_announcement(uow, self._settings, app, now)
