"""What the application service answers: a submission's receipt, a decision, and the `status` view."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from storage.enums import ApplicationStatus


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
