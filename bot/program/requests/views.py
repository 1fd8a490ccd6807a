"""What a request looks like to the people and handlers that read it, its reference (HW-0007),
and the limits the workflow keeps to."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal

from bot.program.money import fmt
from bot.program.requests.fields import FIELDS
from bot.program.requests.kinds import STATUS_LABELS
from storage.enums import RequestStatus
from storage.requests import REFERENCE_PREFIX

UNDECIDED = (RequestStatus.PENDING, RequestStatus.INFO_REQUESTED)
MAX_OPEN_PER_PERSON = 20
MAX_NOTE = 2000

_REF = re.compile(r"^#?(?:(HW|EX|SW|RQ)-?)?0*([0-9]{1,9})$", re.IGNORECASE)


def parse_reference(text: str) -> int | None:
    """The request id from a reference as people quote it: HW-0007, hw-7, #7 or 7."""
    m = _REF.match(text.strip())
    return int(m.group(2)) if m else None


def reference(kind: str, request_id: int) -> str:
    return f"{REFERENCE_PREFIX.get(kind, 'RQ')}-{request_id:04d}"


def quarter_start(now: datetime) -> datetime:
    now = now.astimezone(UTC)
    return datetime(now.year, 3 * ((now.month - 1) // 3) + 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class NoteView:
    at: datetime
    author: str
    kind: str
    text: str


@dataclass(frozen=True)
class RequestView:
    id: int
    reference: str
    kind: str
    status: str
    summary: str
    requester: str
    amount: Decimal | None
    currency: str | None
    on_date: date | None
    created_at: datetime
    updated_at: datetime
    approvals_needed: int
    version: int = 1
    approvers: tuple[str, ...] = ()
    details: Mapping[str, str] = field(default_factory=dict)
    notes: tuple[NoteView, ...] = ()

    @property
    def status_label(self) -> str:
        label = STATUS_LABELS.get(self.status, self.status)
        if self.status in UNDECIDED and self.approvals_needed > 1:
            label += f" ({len(self.approvers)} of {self.approvals_needed} approvals)"
        return label

    @property
    def amount_text(self) -> str:
        return fmt(self.amount, self.currency) if self.amount is not None else ""


@dataclass(frozen=True)
class SubmitResult:
    id: int
    reference: str
    approvals_needed: int


@dataclass(frozen=True)
class Decision:
    request: RequestView
    change: str  # approved | approval_recorded | rejected | info_requested | answered | shipped | reimbursed


def fields_for_display(kind: str, details: Mapping[str, str], amount_text: str) -> list[tuple[str, str]]:
    """(label, value) pairs of a request, in the form's order."""
    out: list[tuple[str, str]] = []
    for spec in FIELDS.get(kind, ()):
        if spec.key == "currency":
            continue
        if spec.key == "amount":
            if amount_text:
                out.append((spec.label, amount_text))
            continue
        if spec.key == "receipt_file":
            if details.get("receipt_file"):
                url = details.get("receipt_file_url") or ""
                out.append((spec.label, details["receipt_file"] + (f" ({url})" if url else "")))
            continue
        if details.get(spec.key):
            out.append((spec.label, details[spec.key]))
    return out
