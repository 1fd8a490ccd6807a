"""User groups (the OpenStack workflow): request → screening → review → mentor → handover.

A request is screened by the bot before a person sees it (bot.program.groups.screening): obvious
spam is rejected at once, "not a user group" is flagged with the reason, the title is put into
the naming rule, missing details are listed and an overlap with an existing group is flagged.
Ambassadors and moderators then review it in the review channel. An overlapping request is held
until the ambassadors mark the overlap resolved. Approval names a mentor and starts the official
group handover checklist, whose last step sends the recognition message to every leader.

The package, by feature: `forms` (the request form and result types), `messages` (the typed
outbox messages, with the actions each card allows), `base` (what the parts share), `intake`,
`review`, `objections`, `organisers`, `handover`, `reading`, `screening`, `reports`;
`service.GroupService` puts the parts together.
"""

from __future__ import annotations

from bot.program.groups.forms import (
    GROUP_FIELDS,
    MAX_ORGANISERS,
    ROLE_WORDS,
    ApprovalForm,
    Decision,
    MentorOption,
    OrganiserAdded,
    StepResult,
    SubmitResult,
    validate_request,
)
from bot.program.groups.service import GroupService

__all__ = [
    "GROUP_FIELDS",
    "MAX_ORGANISERS",
    "ROLE_WORDS",
    "ApprovalForm",
    "Decision",
    "GroupService",
    "MentorOption",
    "OrganiserAdded",
    "StepResult",
    "SubmitResult",
    "validate_request",
]
