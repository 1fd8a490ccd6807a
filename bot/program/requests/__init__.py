"""Requests: hardware for a project or event demo, expense claims and swag.

A request is submitted from a form suited to its kind, gets a reference the requester can quote
(HW-0007, EX-0012, SW-0003) and goes to the moderators' review queue. Moderators approve, reject
or ask for information; approved requests are closed by marking them shipped (hardware, swag) or
reimbursed (expenses). Budget limits come from `[requests.<kind>]` in the config: a cap per
request, a threshold above which two different moderators must approve, and a quarterly budget.
The requester gets a direct message at every change of status.

The package, by feature: `kinds` (kinds and statuses), `fields` (the form of each kind),
`validation`, `views` (what a request looks like, references), `base` (what the parts share),
`service` (asking, reading), `deciding`, and `home` (the Home tab's part).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.program.requests.fields import FIELDS, RequestField
    from bot.program.requests.service import RequestService
    from bot.program.requests.validation import Cleaned, validate_request
    from bot.program.requests.views import (
        MAX_NOTE,
        MAX_OPEN_PER_PERSON,
        UNDECIDED,
        Decision,
        NoteView,
        RequestView,
        SubmitResult,
        fields_for_display,
        parse_reference,
        quarter_start,
        reference,
    )

# Imported on first use, so that importing one module of the package (the outbox imports
# `reports`) does not import the whole service, and with it a cycle through bot.program.
_WHERE = {
    "FIELDS": "bot.program.requests.fields",
    "RequestField": "bot.program.requests.fields",
    "RequestService": "bot.program.requests.service",
    "Cleaned": "bot.program.requests.validation",
    "validate_request": "bot.program.requests.validation",
    "MAX_NOTE": "bot.program.requests.views",
    "MAX_OPEN_PER_PERSON": "bot.program.requests.views",
    "UNDECIDED": "bot.program.requests.views",
    "Decision": "bot.program.requests.views",
    "NoteView": "bot.program.requests.views",
    "RequestView": "bot.program.requests.views",
    "SubmitResult": "bot.program.requests.views",
    "fields_for_display": "bot.program.requests.views",
    "parse_reference": "bot.program.requests.views",
    "quarter_start": "bot.program.requests.views",
    "reference": "bot.program.requests.views",
}


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_WHERE[name]), name)


__all__ = [
    "FIELDS",
    "MAX_NOTE",
    "MAX_OPEN_PER_PERSON",
    "UNDECIDED",
    "Cleaned",
    "Decision",
    "NoteView",
    "RequestField",
    "RequestService",
    "RequestView",
    "SubmitResult",
    "fields_for_display",
    "parse_reference",
    "quarter_start",
    "reference",
    "validate_request",
]
