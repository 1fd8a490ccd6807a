"""Requests: hardware for a project or event demo, expense claims and swag.

A request is submitted from a form suited to its kind, gets a reference the requester can quote
(HW-0007, EX-0012, SW-0003) and goes to the moderators' review queue. Moderators approve, reject
or ask for information; approved requests are closed by marking them shipped (hardware, swag) or
reimbursed (expenses). Budget limits come from `[requests.<kind>]` in the config: a cap per
request, a threshold above which two different moderators must approve, and a quarterly budget.
The requester gets a direct message at every change of status.

The package, by feature: `kinds` (kinds and statuses), `fields` (the form of each kind),
`validation`, `views` (what a request looks like, references), `messages` (the typed review card
and status message, with the decisions a card allows), `base` (what the parts share), `service`
(asking, reading), `deciding` (one decide step for every decision), and `home` (the Home tab's
part).
"""

from __future__ import annotations

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
