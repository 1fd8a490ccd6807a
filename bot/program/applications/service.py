"""`ApplicationService`: intake (apply, renew, `status`) on top of the decisions (`deciding`).

An application is refused while the person has one under review or an active term; an active
ambassador renews with a short re-application instead, approved by a moderator or at once when
`renewals.auto_approve` is set.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from bot.program.applications.base import record, review_of, step_of
from bot.program.applications.deciding import ApplicationDecisions
from bot.program.applications.form import validate_application, validate_renewal
from bot.program.applications.results import StatusView, SubmitResult
from bot.program.errors import Conflict, InvalidInput
from storage.enums import AmbassadorStatus, ApplicationStatus
from storage.models import Application, Person
from storage.uow import UnitOfWork


class ApplicationService(ApplicationDecisions):
    async def can_apply(self, slack_user_id: str) -> None:
        """Raise Conflict when the person already has an open application or an active term."""
        async with self._uow() as uow:
            person = await uow.people.by_slack_id(slack_user_id)
            if person is None:
                return
            await self._check_can_apply(uow, person.id)

    async def _check_can_apply(self, uow: UnitOfWork, person_id: int) -> None:
        pending = await uow.applications.pending_for(person_id)
        if pending is not None:
            raise Conflict(
                f"You already have an application under review (#{pending.id}, sent "
                f"{pending.submitted_at:%Y-%m-%d}). You'll get a message when a moderator decides."
            )
        amb = await uow.ambassadors.for_person(person_id)
        if amb is not None and amb.status == AmbassadorStatus.ACTIVE:
            raise Conflict(f"You are already an ambassador; your term runs until {amb.term_end:%Y-%m-%d}.")

    async def submit(
        self, slack_user_id: str, form: Mapping[str, str | None], display_name: str = ""
    ) -> SubmitResult:
        data = validate_application(form)
        now = self._clock.now()
        async with self._uow() as uow:
            person = await uow.people.get_or_create_slack(slack_user_id, display_name or data["name"])
            await self._check_can_apply(uow, person.id)
            other = await uow.people.by_forum_username(data["forum_username"])
            if other is not None and other.id != person.id:
                raise InvalidInput(
                    "That forum username belongs to someone else here.",
                    {"forum_username": "This forum username is already linked to another Slack user."},
                )
            person.display_name = data["name"]
            person.timezone = data["timezone"]
            app = await self._add(uow, person, slack_user_id, now, "application", data, data)
            await self._post_review(uow, app, review_of(app, slack_user_id), now)
        self._signal.kick()
        return SubmitResult(app.id, data["forum_username"])

    async def submit_renewal(self, slack_user_id: str, form: Mapping[str, str | None]) -> SubmitResult:
        """A short re-application by an active ambassador before the term ends."""
        plans = validate_renewal(form)
        now = self._clock.now()
        async with self._uow() as uow:
            person = await uow.people.by_slack_id(slack_user_id)
            amb = await uow.ambassadors.for_person(person.id) if person else None
            if person is None or amb is None or amb.status != AmbassadorStatus.ACTIVE:
                raise Conflict(
                    "Only active ambassadors can renew; former ambassadors apply again with `apply`."
                )
            pending = await uow.applications.pending_for(person.id)
            if pending is not None:
                raise Conflict(f"You already have application #{pending.id} under review.")
            answers = {
                "name": person.display_name,
                "forum_username": person.forum_username or "",
                "location": "",
                "timezone": person.timezone or "",
                "expertise": "",
                "links": "",
                "motivation": plans,
            }
            app = await self._add(uow, person, slack_user_id, now, "renewal", answers, {}, kind="renewal")
            if not self._settings.renewals.auto_approve:
                review = replace(
                    review_of(app, slack_user_id), renewal=True, term_end=amb.term_end.isoformat()
                )
                await self._post_review(uow, app, review, now)
            result = SubmitResult(app.id, app.forum_username)
        if self._settings.renewals.auto_approve:
            await self._settle(
                result.application_id,
                "auto-approval",
                ApplicationStatus.APPROVED,
                None,
                None,
                self._approved,
                check_moderator=False,
            )
        self._signal.kick()
        return result

    async def _add(
        self,
        uow: UnitOfWork,
        person: Person,
        actor: str,
        now: datetime,
        what: str,
        answers: Mapping[str, str],
        audited: Mapping[str, str],
        **extra: Any,
    ) -> Application:
        """A pending application (`what`: "application" or "renewal") and its audit entry, which
        keeps the `audited` answers."""
        app = await uow.applications.add(
            Application(
                person_id=person.id,
                pending_person_id=person.id,
                status=ApplicationStatus.PENDING,
                submitted_at=now,
                **extra,
                **answers,
            )
        )
        after = {"status": ApplicationStatus.PENDING, **audited}
        await record(uow, now, actor, f"{what}.submitted", ("application", app.id), after=after)
        return app

    async def status(self, slack_user_id: str) -> StatusView:
        async with self._uow() as uow:
            standing = await uow.people.standing(slack_user_id)
            if standing is None:
                return StatusView(known=False)
            _person, amb, app = standing
            steps = tuple(map(step_of, await uow.onboarding.steps(amb.id))) if amb is not None else ()
            return StatusView(
                known=app is not None or amb is not None,
                application_id=app.id if app else None,
                application_status=app.status if app else None,
                submitted_at=app.submitted_at if app else None,
                decided_at=app.decided_at if app else None,
                decision_reason=app.decision_reason if app else None,
                ambassador_status=amb.status if amb else None,
                term_start=amb.term_start if amb else None,
                term_end=amb.term_end if amb else None,
                steps=steps,
            )
