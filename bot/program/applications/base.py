"""What the parts of the application service share: the audit entry of an application step, the
pending application a decision needs, and the review card (posted for the moderators, redrawn once
the application is decided)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.program import outbox
from bot.program.applications.form import APPLICATION_FIELDS
from bot.program.applications.messages import ApplicationReview
from bot.program.errors import Conflict, NotFound
from bot.program.messages import MessageRef
from bot.program.permissions import GuardedService
from storage.enums import ApplicationStatus, Platform
from storage.models import Application
from storage.uow import UnitOfWork


class ApplicationBase(GuardedService):
    @staticmethod
    async def _record(
        uow: UnitOfWork,
        now: datetime,
        actor: str,
        action: str,
        subject: tuple[str, int],
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
    ) -> None:
        """An audit entry of an application step, all of which come from Slack."""
        subject_type, subject_id = subject
        await uow.audit.record(
            at=now,
            actor=actor,
            platform=Platform.SLACK,
            action=action,
            subject_type=subject_type,
            subject_id=subject_id,
            before=before,
            after=after,
        )

    async def _load_pending(self, uow: UnitOfWork, app_id: int) -> Application:
        app = await uow.applications.get(app_id)
        if app is None:
            raise NotFound(f"Application #{app_id} does not exist.")
        if app.status != ApplicationStatus.PENDING:
            who = f" by <@{app.decided_by}>" if app.decided_by else ""
            raise Conflict(f"Application #{app_id} was already {app.status}{who}.")
        return app

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
    ) -> None:
        """Redraw the review card as decided: the message remembered on delivery, else the one the
        decision came from."""
        channel = app.review_channel or (ref.channel if ref else None)
        ts = app.review_ts or (ref.id if ref else None)
        if not channel or not ts:
            return
        review = review_of(
            app,
            app.person.slack_user_id or "",
            decision=status,
            decided_by=moderator,
            reason=reason,
            can_decide=False,
        )
        await outbox.update(uow, f"application:{app.id}:review-decided", channel, ts, review, now)


def review_of(
    app: Application,
    applicant: str,
    *,
    renewal: bool = False,
    term_end: str | None = None,
    decision: ApplicationStatus | None = None,
    decided_by: str | None = None,
    reason: str | None = None,
    can_decide: bool = True,
) -> ApplicationReview:
    """The review card of `app`: its answers, a renewal's current term, the decision once made."""
    answers = {spec.key: str(getattr(app, spec.key) or "") for spec in APPLICATION_FIELDS}
    return ApplicationReview(
        application_id=app.id,
        applicant=applicant,
        name=answers["name"],
        forum_username=answers["forum_username"],
        location=answers["location"],
        timezone=answers["timezone"],
        expertise=answers["expertise"],
        links=answers["links"],
        motivation=answers["motivation"],
        renewal=renewal,
        term_end=term_end,
        decision=decision,
        decided_by=decided_by,
        reason=reason,
        can_decide=can_decide,
    )
