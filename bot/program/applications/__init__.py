"""Intake: apply → moderator review → approve (ambassador with a term) or reject; renewals.

The package, by part: `form` (the application form and its rules, no I/O), `messages` (the review
card, the welcome and the rejection DMs), `results` (what the service answers), `base` (what the
parts share: the audit entry, the pending application, the review card), `deciding` (approve and
reject, one decision step) and `service.ApplicationService` (intake on top of the decisions).
"""

from __future__ import annotations

# The form first: the profile and group forms import it while the service's imports load.
from bot.program.applications.form import (
    APPLICATION_FIELDS,
    FORUM_USERNAME,
    FieldSpec,
    validate_application,
)
from bot.program.applications.results import DecisionResult, StatusView, SubmitResult
from bot.program.applications.service import ApplicationService

__all__ = [
    "APPLICATION_FIELDS",
    "FORUM_USERNAME",
    "ApplicationService",
    "DecisionResult",
    "FieldSpec",
    "StatusView",
    "SubmitResult",
    "validate_application",
]
