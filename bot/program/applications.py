"""Intake: apply → moderator review → approve (ambassador with a term) or reject."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.program import home, outbox
from bot.program.errors import Conflict, InvalidInput, NotFound
from bot.program.permissions import GuardedService, Permission, Subject
from storage.enums import AmbassadorStatus, ApplicationStatus, BadgeGrantStatus, Platform
from storage.forum import BadgeGrant
from storage.models import Ambassador, Application, OnboardingStep
from storage.uow import UnitOfWork

FORUM_USERNAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{1,59}$")


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: str
    max_len: int
    required: bool = True
    multiline: bool = False
    hint: str = ""


APPLICATION_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("name", "Your name", 100),
    FieldSpec("forum_username", "Forum username", 60, hint="Your username on the forum, e.g. jane_doe"),
    FieldSpec("location", "Location (city, country)", 100),
    FieldSpec("timezone", "Timezone", 64, hint="An IANA name such as Europe/Berlin or America/New_York"),
    FieldSpec("expertise", "Areas of expertise", 1000, multiline=True),
    FieldSpec("links", "Links to your contributions", 2000, required=False, multiline=True),
    FieldSpec("motivation", "Why do you want to be an ambassador?", 3000, multiline=True),
)


def _clean(value: str | None) -> str:
    text = unicodedata.normalize("NFC", value or "")
    # Drop control characters except newlines and tabs; keep every other script and emoji.
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc").strip()


def validate_application(form: Mapping[str, str | None]) -> dict[str, str]:
    """Clean the form or raise InvalidInput naming each bad field."""
    cleaned: dict[str, str] = {}
    problems: dict[str, str] = {}
    for spec in APPLICATION_FIELDS:
        value = _clean(form.get(spec.key))
        if spec.required and not value:
            problems[spec.key] = "Please fill this in."
        elif len(value) > spec.max_len:
            problems[spec.key] = f"Please keep this under {spec.max_len} characters (it has {len(value)})."
        cleaned[spec.key] = value
    uname = cleaned.get("forum_username", "").lstrip("@")
    cleaned["forum_username"] = uname
    if not uname and "forum_username" not in problems:
        problems["forum_username"] = "Please fill this in."
    elif uname and "forum_username" not in problems and not FORUM_USERNAME.match(uname):
        problems["forum_username"] = "Forum usernames use letters, digits, _ . and - (2 to 60 characters)."
    tz = cleaned.get("timezone", "")
    if tz and "timezone" not in problems:
        cleaned["timezone"] = _canonical_tz(tz) or tz
        if _canonical_tz(tz) is None:
            problems["timezone"] = "Unknown timezone; use a name like Europe/Berlin or America/New_York."
    if problems:
        raise InvalidInput("Some answers need fixing.", problems)
    return cleaned


def _canonical_tz(name: str) -> str | None:
    try:
        ZoneInfo(name)
        return name
    except (ZoneInfoNotFoundError, ValueError):
        pass
    lowered = name.replace(" ", "_").lower()
    for candidate in available_timezones():
        if candidate.lower() == lowered:
            return candidate
    return None


@dataclass(frozen=True)
class StepView:
    key: str
    title: str
    done: bool
    completes: str


@dataclass(frozen=True)
class StatusView:
    """What `/ambassador status` shows."""

    known: bool
    application_id: int | None = None
    application_status: str | None = None
    submitted_at: datetime | None = None
    decided_at: datetime | None = None
    decision_reason: str | None = None
    ambassador_status: str | None = None
    term_start: datetime | None = None
    term_end: datetime | None = None
    steps: tuple[StepView, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class SubmitResult:
    application_id: int
    forum_username: str


@dataclass(frozen=True)
class DecisionResult:
    application_id: int
    applicant_slack_id: str | None
    status: ApplicationStatus
    decided_by: str
    term_end: datetime | None = None


class ApplicationService(GuardedService):
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
            app = await uow.applications.add(
                Application(
                    person_id=person.id,
                    pending_person_id=person.id,
                    status=ApplicationStatus.PENDING,
                    submitted_at=now,
                    **data,
                )
            )
            await uow.audit.record(
                at=now,
                actor=slack_user_id,
                platform=Platform.SLACK,
                action="application.submitted",
                subject_type="application",
                subject_id=app.id,
                after={"status": ApplicationStatus.PENDING, **data},
            )
            await outbox.queue(
                uow,
                f"application:{app.id}:review",
                outbox.SLACK_POST,
                {
                    "channel": self._settings.slack.moderator_channel,
                    "template": "application_review",
                    "data": self._review_data(app, slack_user_id, data),
                    "on_delivered": {"type": "application_review", "application_id": app.id},
                },
                now,
            )
        self._signal.kick()
        return SubmitResult(app.id, data["forum_username"])

    async def submit_renewal(self, slack_user_id: str, form: Mapping[str, str | None]) -> SubmitResult:
        """A short re-application by an active ambassador before the term ends."""
        reaffirm = _clean(form.get("reaffirm"))
        plans = _clean(form.get("plans"))
        problems = {}
        if reaffirm.lower() not in ("yes", "y", "i do", "i re-affirm"):
            problems["reaffirm"] = "Type yes to re-affirm the ambassador guidelines."
        if not plans:
            problems["plans"] = "Please fill this in."
        elif len(plans) > 3000:
            problems["plans"] = f"Please keep this under 3000 characters (it has {len(plans)})."
        if problems:
            raise InvalidInput("Some answers need fixing.", problems)
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
            app = await uow.applications.add(
                Application(
                    person_id=person.id,
                    pending_person_id=person.id,
                    kind="renewal",
                    status=ApplicationStatus.PENDING,
                    submitted_at=now,
                    name=person.display_name,
                    forum_username=person.forum_username or "",
                    location="",
                    timezone=person.timezone or "",
                    expertise="",
                    links="",
                    motivation=plans,
                )
            )
            await uow.audit.record(
                at=now,
                actor=slack_user_id,
                platform=Platform.SLACK,
                action="renewal.submitted",
                subject_type="application",
                subject_id=app.id,
                after={"status": ApplicationStatus.PENDING},
            )
            if not self._settings.renewals.auto_approve:
                data = self._review_data(app, slack_user_id, _app_fields(app))
                data.update({"kind": "renewal", "term_end": amb.term_end.isoformat()})
                await outbox.queue(
                    uow,
                    f"application:{app.id}:review",
                    outbox.SLACK_POST,
                    {
                        "channel": self._settings.slack.moderator_channel,
                        "template": "application_review",
                        "data": data,
                        "on_delivered": {"type": "application_review", "application_id": app.id},
                    },
                    now,
                )
            result = SubmitResult(app.id, app.forum_username)
        if self._settings.renewals.auto_approve:
            await self._approve(result.application_id, "auto-approval", None, None, check_moderator=False)
        self._signal.kick()
        return result

    @staticmethod
    def _review_data(app: Application, slack_user_id: str, data: Mapping[str, str]) -> dict[str, object]:
        return {"application_id": app.id, "applicant": slack_user_id, **data}

    async def _load_pending(self, uow: UnitOfWork, app_id: int) -> Application:
        app = await uow.applications.get(app_id)
        if app is None:
            raise NotFound(f"Application #{app_id} does not exist.")
        if app.status != ApplicationStatus.PENDING:
            who = f" by <@{app.decided_by}>" if app.decided_by else ""
            raise Conflict(f"Application #{app_id} was already {app.status}{who}.")
        return app

    async def _decide(
        self,
        uow: UnitOfWork,
        app_id: int,
        moderator: str,
        status: ApplicationStatus,
        reason: str | None,
        now: datetime,
        check_moderator: bool = True,
    ) -> Application:
        """Moderator check, then move the application out of pending, exactly once."""
        if check_moderator:
            permission = (
                Permission.APPLICATION_APPROVE
                if status == ApplicationStatus.APPROVED
                else Permission.APPLICATION_REJECT
            )
            await self._guard.require(moderator, permission, Subject(app_id))
        app = await self._load_pending(uow, app_id)
        # A conditional UPDATE: of two moderators clicking at once, exactly one wins.
        if not await uow.applications.decide(app_id, status, moderator, now, reason):
            raise Conflict(f"Application #{app_id} was decided by someone else a moment ago.")
        after: dict[str, object] = {"status": status}
        if reason:
            after["reason"] = reason
        await uow.audit.record(
            at=now,
            actor=moderator,
            platform=Platform.SLACK,
            action=f"application.{status}",
            subject_type="application",
            subject_id=app.id,
            before={"status": ApplicationStatus.PENDING},
            after=after,
        )
        return app

    async def approve(
        self, app_id: int, moderator: str, review_channel: str | None = None, review_ts: str | None = None
    ) -> DecisionResult:
        return await self._approve(app_id, moderator, review_channel, review_ts)

    async def _approve(
        self,
        app_id: int,
        moderator: str,
        review_channel: str | None,
        review_ts: str | None,
        check_moderator: bool = True,
    ) -> DecisionResult:
        now = self._clock.now()
        async with self._uow() as uow:
            app = await self._decide(
                uow, app_id, moderator, ApplicationStatus.APPROVED, None, now, check_moderator
            )
            if app.kind == "renewal":
                result = await self._renew(uow, app, moderator, review_channel, review_ts, now)
                self._signal.kick()
                return result
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
            await uow.audit.record(
                at=now,
                actor=moderator,
                platform=Platform.SLACK,
                action="ambassador.term_started",
                subject_type="person",
                subject_id=person.id,
                before=before,
                after={"status": AmbassadorStatus.ACTIVE, "term_end": amb.term_end.isoformat()},
            )
            await self._queue_onboarding_actions(uow, app, amb, now)
            await self._queue_review_update(
                uow, app, ApplicationStatus.APPROVED, moderator, None, review_channel, review_ts, now
            )
            await home.queue_refresh(uow, self._settings, self._roles, person.slack_user_id, now)
            result = DecisionResult(
                app.id, person.slack_user_id, ApplicationStatus.APPROVED, moderator, amb.term_end
            )
        self._signal.kick()
        return result

    async def _renew(
        self,
        uow: UnitOfWork,
        app: Application,
        moderator: str,
        review_channel: str | None,
        review_ts: str | None,
        now: datetime,
    ) -> DecisionResult:
        """An approved renewal extends the term from its current end (or from now, if it ended)."""
        person = app.person
        amb = await uow.ambassadors.for_person(person.id)
        if amb is None:
            raise Conflict("There is no term to renew.")
        before = {"status": amb.status, "term_end": amb.term_end.isoformat()}
        amb.term_end = self._settings.program.term_end(max(amb.term_end, now))
        amb.status = AmbassadorStatus.ACTIVE
        await uow.audit.record(
            at=now,
            actor=moderator,
            platform=Platform.SLACK,
            action="ambassador.term_renewed",
            subject_type="person",
            subject_id=person.id,
            before=before,
            after={"status": AmbassadorStatus.ACTIVE, "term_end": amb.term_end.isoformat()},
        )
        if person.slack_user_id:
            await outbox.queue(
                uow,
                f"application:{app.id}:renewed",
                outbox.SLACK_DM,
                {
                    "user": person.slack_user_id,
                    "template": "renewed",
                    "data": {
                        "name": app.name,
                        "term_end": amb.term_end.isoformat(),
                        "program": self._settings.program.name,
                    },
                },
                now,
            )
        await self._queue_review_update(
            uow, app, ApplicationStatus.APPROVED, moderator, None, review_channel, review_ts, now
        )
        return DecisionResult(
            app.id, person.slack_user_id, ApplicationStatus.APPROVED, moderator, amb.term_end
        )

    async def _queue_onboarding_actions(
        self, uow: UnitOfWork, app: Application, amb: Ambassador, now: datetime
    ) -> None:
        d = self._settings.discourse
        key = f"application:{app.id}"
        if d.enabled and d.ambassador_badge_id is not None:
            grant = await uow.badges.add(
                BadgeGrant(
                    person_id=app.person_id,
                    badge_id=d.ambassador_badge_id,
                    badge_name=self._settings.program.badge_name,
                    source="bot",
                    status=BadgeGrantStatus.PENDING,
                )
            )
            await outbox.queue(
                uow,
                f"{key}:badge",
                outbox.DISCOURSE_GRANT_BADGE,
                {"username": app.forum_username, "badge_id": d.ambassador_badge_id, "grant_id": grant.id},
                now,
            )
        if d.enabled and d.ambassador_group:
            await outbox.queue(
                uow,
                f"{key}:group",
                outbox.DISCOURSE_ADD_TO_GROUP,
                {"username": app.forum_username, "group": d.ambassador_group},
                now,
            )
        steps = await uow.onboarding.steps(amb.id)
        if app.person.slack_user_id:
            await outbox.queue(
                uow,
                f"{key}:welcome",
                outbox.SLACK_DM,
                {
                    "user": app.person.slack_user_id,
                    "template": "welcome",
                    "data": {
                        "name": app.name,
                        "program": self._settings.program.name,
                        "term_end": amb.term_end.isoformat(),
                        "guidelines_url": self._settings.program.guidelines_url,
                        "ambassador_channel": self._settings.slack.ambassador_channel,
                        "steps": [_step_dict(s) for s in steps],
                    },
                },
                now,
            )

    async def _queue_review_update(
        self,
        uow: UnitOfWork,
        app: Application,
        status: ApplicationStatus,
        moderator: str,
        reason: str | None,
        channel: str | None,
        ts: str | None,
        now: datetime,
    ) -> None:
        channel = app.review_channel or channel
        ts = app.review_ts or ts
        if not channel or not ts:
            return
        data = self._review_data(app, app.person.slack_user_id or "", _app_fields(app))
        data.update({"decision": status, "decided_by": moderator, "reason": reason})
        await outbox.queue(
            uow,
            f"application:{app.id}:review-decided",
            outbox.SLACK_UPDATE,
            {"channel": channel, "ts": ts, "template": "application_review", "data": data},
            now,
        )

    async def reject(
        self,
        app_id: int,
        moderator: str,
        reason: str,
        review_channel: str | None = None,
        review_ts: str | None = None,
    ) -> DecisionResult:
        reason = _clean(reason)
        if not reason:
            raise InvalidInput("Please give a reason.", {"reason": "Please give a reason for the applicant."})
        if len(reason) > 2000:
            raise InvalidInput(
                "Reason too long.", {"reason": "Please keep the reason under 2000 characters."}
            )
        now = self._clock.now()
        async with self._uow() as uow:
            app = await self._decide(uow, app_id, moderator, ApplicationStatus.REJECTED, reason, now)
            if app.person.slack_user_id:
                await outbox.queue(
                    uow,
                    f"application:{app.id}:rejected",
                    outbox.SLACK_DM,
                    {
                        "user": app.person.slack_user_id,
                        "template": "rejected",
                        "data": {"name": app.name, "reason": reason, "program": self._settings.program.name},
                    },
                    now,
                )
            await self._queue_review_update(
                uow, app, ApplicationStatus.REJECTED, moderator, reason, review_channel, review_ts, now
            )
            await home.queue_refresh(uow, self._settings, self._roles, app.person.slack_user_id, now)
            result = DecisionResult(app.id, app.person.slack_user_id, ApplicationStatus.REJECTED, moderator)
        self._signal.kick()
        return result

    async def ensure_moderator(self, actor: str, app_id: int) -> None:
        """Check before opening the reject modal, so a non-moderator sees a refusal at once."""
        async with self._uow() as uow:
            await self._guard.require(actor, Permission.APPLICATION_REJECT, Subject(app_id))
            await self._load_pending(uow, app_id)

    async def status(self, slack_user_id: str) -> StatusView:
        async with self._uow() as uow:
            person = await uow.people.by_slack_id(slack_user_id)
            if person is None:
                return StatusView(known=False)
            app = await uow.applications.latest_for(person.id)
            amb = await uow.ambassadors.for_person(person.id)
            steps: tuple[StepView, ...] = ()
            if amb is not None:
                steps = tuple(
                    StepView(s.key, s.title, s.completed_at is not None, s.completes)
                    for s in await uow.onboarding.steps(amb.id)
                )
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


def _step_dict(s: OnboardingStep) -> dict[str, object]:
    return {"key": s.key, "title": s.title, "done": s.completed_at is not None, "completes": s.completes}


def _app_fields(app: Application) -> dict[str, str]:
    return {spec.key: str(getattr(app, spec.key) or "") for spec in APPLICATION_FIELDS}
