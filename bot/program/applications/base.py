"""What the intakes share (applications and nominations: the audit entry of a step, the pending
request a decision needs, where the decided review card is), and what the parts of the application
service share: the review card, posted for the moderators and redrawn once decided."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any, Protocol, TypeVar

from bot.program import audit, outbox
from bot.program.applications.form import APPLICATION_FIELDS
from bot.program.applications.messages import ApplicationReview, Step
from bot.program.errors import Conflict, NotFound
from bot.program.messages import MessageRef, decode, slack_message
from bot.program.permissions import GuardedService
from storage.enums import ApplicationStatus
from storage.models import Application, OnboardingStep
from storage.uow import UnitOfWork


class Decidable(Protocol):
    """A request a moderator decides once (an application, a nomination)."""

    @property
    def status(self) -> str: ...
    @property
    def decided_by(self) -> str | None: ...


D = TypeVar("D", bound=Decidable)


def still_pending(row: D | None, what: str, row_id: int, pending: str) -> D:
    """`row` while its status is `pending`; NotFound or Conflict (naming who decided) otherwise."""
    if row is None:
        raise NotFound(f"{what} #{row_id} does not exist.")
    if row.status != pending:
        who = f" by <@{row.decided_by}>" if row.decided_by else ""
        raise Conflict(f"{what} #{row_id} was already {row.status}{who}.")
    return row


async def record(
    uow: UnitOfWork,
    now: datetime,
    actor: str,
    action: str,
    subject: tuple[str, int],
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """An audit entry of an intake step (an application's, a nomination's): all come from Slack."""
    await audit.log(uow, now, actor, action, subject, before=before, after=after)


def step_of(step: OnboardingStep, link: str = "") -> Step:
    return Step(step.key, step.title, step.completed_at is not None, step.completes, link)


class ApplicationBase(GuardedService):
    async def _load_pending(self, uow: UnitOfWork, app_id: int) -> Application:
        return still_pending(
            await uow.applications.get(app_id), "Application", app_id, ApplicationStatus.PENDING
        )

    async def _post_review(
        self, uow: UnitOfWork, app: Application, review: ApplicationReview, now: datetime
    ) -> None:
        """The review card in the moderators' channel; its message is remembered once delivered, so
        the decision can redraw it."""
        await outbox.post(
            uow,
            f"application:{app.id}:review",
            self._settings.slack.moderator_channel,
            review,
            now,
            on_delivered={"type": "application_review", "application_id": app.id},
        )

    async def _queue_review_update(
        self,
        uow: UnitOfWork,
        app: Application,
        status: ApplicationStatus,
        moderator: str,
        reason: str | None,
        ref: MessageRef | None,
        now: datetime,
        term_end: datetime | None = None,
    ) -> None:
        """Redraw the review card as decided: the message remembered on delivery, else the one the
        decision came from. `term_end`: a renewal's term end before the decision."""
        pending = review_of(app, app.person.slack_user_id or "")
        if app.kind == "renewal":  # redrawn as the renewal it was: the term's end as it was reviewed
            pending = replace(pending, renewal=True, term_end=term_end.isoformat() if term_end else None)
        review = replace(pending, decision=status, decided_by=moderator, reason=reason, can_decide=False)
        posted = slack_message(app.review_channel, app.review_ts)
        await outbox.redraw(uow, f"application:{app.id}:review-decided", posted, ref, review, now)


def review_of(app: Application, applicant: str) -> ApplicationReview:
    """The review card of `app` while it waits, with every answer (`dataclasses.replace` adds a
    renewal's term or the decision). Built from the data its row keeps, checked as a row is."""
    answers = {spec.key: str(getattr(app, spec.key) or "") for spec in APPLICATION_FIELDS}
    return decode(ApplicationReview, {"application_id": app.id, "applicant": applicant, **answers})
