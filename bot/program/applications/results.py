"""What the application service answers: a submission's receipt, a decision, and the `status` view."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.program.applications.messages import Step
from storage.enums import ApplicationStatus


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
    renewal: bool = False  # a renewal: approval extends the term (no welcome, no onboarding)
    steps: tuple[Step, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class SubmitResult:
    """A received application or renewal: its number and the forum username it names."""

    application_id: int
    forum_username: str


@dataclass(frozen=True)
class DecisionResult:
    """A decided application: who decided it how, and the term's end when it starts or renews one."""

    application_id: int
    applicant_slack_id: str | None
    status: ApplicationStatus
    decided_by: str
    term_end: datetime | None = None
    renewal: bool = False  # a renewal: approval extends the term (no welcome, no onboarding)
