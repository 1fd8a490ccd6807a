"""The outbox messages of requests: the review card in the moderators' channel ("request_review")
and the direct message the requester gets at every change ("request_status").

Both carry the request as the old dict data did (same keys, so rows queued before keep decoding);
a request's kind is kept under the key "kind" (`request_kind` here: `kind` names the message kind).
Which buttons a card offers is decided here (`actions`), not by the renderer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar, Literal

from bot.program.messages import Message
from storage.enums import RequestStatus

# What a moderator may do from a card, by the request's status.
APPROVE, REJECT, ASK, CLOSE = "approve", "reject", "ask", "close"
_ACTIONS: dict[str, tuple[str, ...]] = {
    RequestStatus.PENDING: (APPROVE, REJECT, ASK),
    RequestStatus.INFO_REQUESTED: (APPROVE, REJECT, ASK),
    RequestStatus.APPROVED: (CLOSE,),
}


def review_actions(status: str) -> tuple[str, ...]:
    """The decisions a moderator can still take on a request in `status` (the Home tab's queue
    asks too)."""
    return _ACTIONS.get(status, ())


@dataclass(frozen=True)
class RequestNote:
    """A line of the conversation on a request (a question, an answer, a reason)."""

    at: str  # ISO instant
    author: str
    kind: str
    text: str


@dataclass(frozen=True)
class _RequestData:
    """What every request message shows (defaults for the keys a minimal row may lack)."""

    # The request's kind is "kind" in the data; the field is `request_kind` (see the docstring).
    data_keys: ClassVar[Mapping[str, str]] = {"request_kind": "kind"}

    reference: str
    request_kind: str
    id: int = 0
    kind_label: str = ""
    status: str = ""
    status_label: str = ""
    summary: str = ""
    requester: str = ""
    amount: str | None = None
    amount_text: str = ""
    currency: str | None = None
    created_at: str | None = None  # ISO instant
    fields: tuple[tuple[str, str], ...] = ()  # (label, value) in the form's order
    approvers: tuple[str, ...] = ()
    approvals_needed: int = 1
    closing: str = "shipped"  # what closes it once approved: shipped or reimbursed
    notes: tuple[RequestNote, ...] = ()
    command: str = "/ambassador"

    @property
    def actions(self) -> tuple[str, ...]:
        return review_actions(self.status)


@dataclass(frozen=True)
class RequestReview(_RequestData, Message):
    """The review card: the request, its approvals and conversation, and what is left to decide."""

    kind: ClassVar[Literal["request_review"]] = "request_review"


@dataclass(frozen=True)
class RequestChanged(_RequestData, Message):
    """The requester's direct message about a change (`change`: submitted, approval_recorded,
    approved, info_requested, answered, rejected, shipped, reimbursed), by whom, with the note."""

    kind: ClassVar[Literal["request_status"]] = "request_status"
    change: str = ""
    by: str | None = None
    text: str | None = None

    @property
    def can_answer(self) -> bool:
        return self.change == RequestStatus.INFO_REQUESTED
