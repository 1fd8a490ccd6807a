"""Names shared by the request service, the Home tab snapshot and the reports."""

from __future__ import annotations

KINDS = ("hardware", "expense", "swag")
KIND_LABELS = {"hardware": "Hardware", "expense": "Expense claim", "swag": "Swag"}
# What closes an approved request of each kind.
CLOSING = {"hardware": "shipped", "swag": "shipped", "expense": "reimbursed"}
STATUS_LABELS = {
    "pending": "waiting for review",
    "info_requested": "waiting for the requester's answer",
    "approved": "approved",
    "rejected": "not approved (closed)",
    "shipped": "shipped (closed)",
    "reimbursed": "reimbursed (closed)",
}
