"""Names shared by the request service, the Home tab snapshot and the reports."""

from __future__ import annotations

from storage.enums import RequestStatus

KINDS = ("hardware", "expense", "swag")
KIND_LABELS = {"hardware": "Hardware", "expense": "Expense claim", "swag": "Swag"}
# What closes an approved request of each kind.
CLOSING = {
    "hardware": RequestStatus.SHIPPED,
    "swag": RequestStatus.SHIPPED,
    "expense": RequestStatus.REIMBURSED,
}
STATUS_LABELS: dict[str, str] = {
    RequestStatus.PENDING: "waiting for review",
    RequestStatus.INFO_REQUESTED: "waiting for the requester's answer",
    RequestStatus.APPROVED: "approved",
    RequestStatus.REJECTED: "not approved (closed)",
    RequestStatus.SHIPPED: "shipped (closed)",
    RequestStatus.REIMBURSED: "reimbursed (closed)",
}
