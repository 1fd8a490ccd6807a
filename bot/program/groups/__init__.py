"""User groups (the OpenStack workflow): request → screening → review → mentor → handover.

A request is screened by the bot before a person sees it (bot.program.groups.screening): obvious
spam is rejected at once, "not a user group" is flagged with the reason, the title is put into
the naming rule, missing details are listed and an overlap with an existing group is flagged.
Ambassadors and moderators then review it in the review channel. An overlapping request is held
until the ambassadors mark the overlap resolved. Approval names a mentor and starts the official
group handover checklist, whose last step sends the recognition message to every leader.

The package, by feature: `forms` (the request form and result types), `base` (what the parts
share), `intake`, `review`, `objections`, `organisers`, `handover`, `reading`, `screening`,
`reports`; `service.GroupService` puts the parts together.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

# Imported on first use, so that importing one module of the package (the outbox imports
# `reports`) does not import the whole service, and with it a cycle through bot.program.
_WHERE = {
    "GROUP_FIELDS": "bot.program.groups.forms",
    "MAX_ORGANISERS": "bot.program.groups.forms",
    "ROLE_WORDS": "bot.program.groups.forms",
    "ApprovalForm": "bot.program.groups.forms",
    "Decision": "bot.program.groups.forms",
    "MentorOption": "bot.program.groups.forms",
    "OrganiserAdded": "bot.program.groups.forms",
    "StepResult": "bot.program.groups.forms",
    "SubmitResult": "bot.program.groups.forms",
    "validate_request": "bot.program.groups.forms",
    "GroupService": "bot.program.groups.service",
}


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_WHERE[name]), name)


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
