"""The typed messages of requests: they round-trip through the outbox's JSON (the request's kind
kept under "kind", as the old dict rows had it), the cards carry which decisions are left, and the
Slack renderers draw those."""

from __future__ import annotations

from typing import Any

import pytest

from bot.program.messages import decode, encode
from bot.program.requests import messages as m
from handlers.slack.blocks import render

# A review card's data as the service queued it before the messages were typed.
OLD_ROW: dict[str, Any] = {
    "id": 4,
    "reference": "HW-0004",
    "kind": "hardware",
    "kind_label": "Hardware",
    "status": "pending",
    "status_label": "waiting for review",
    "summary": "2 × Raspberry Pi",
    "requester": "U1",
    "amount": "240.00",
    "amount_text": "€240.00",
    "currency": "EUR",
    "created_at": "2026-01-02T10:00:00+00:00",
    "fields": [["Items", "2 × Raspberry Pi"]],
    "approvers": ["U2"],
    "approvals_needed": 2,
    "closing": "shipped",
    "notes": [
        {"at": "2026-01-03T10:00:00+00:00", "author": "U2", "kind": "question", "text": "Which model?"}
    ],
    "command": "/ambassador",
}
REVIEW = decode(m.RequestReview, OLD_ROW)


def test_the_messages_round_trip_and_keep_the_old_keys() -> None:
    assert REVIEW.request_kind == "hardware" and REVIEW.approvers == ("U2",)
    assert REVIEW.notes == (m.RequestNote("2026-01-03T10:00:00+00:00", "U2", "question", "Which model?"),)
    assert encode(REVIEW) == OLD_ROW  # the same keys and values as the old dict
    assert decode(m.RequestReview, encode(REVIEW)) == REVIEW
    changed = m.RequestChanged(
        reference="HW-0004", request_kind="hardware", change="info_requested", by="U2", text="?"
    )
    assert decode(m.RequestChanged, encode(changed)) == changed


@pytest.mark.parametrize(
    ("status", "actions"),
    [
        ("pending", ("approve", "reject", "ask")),
        ("info_requested", ("approve", "reject", "ask")),
        ("approved", ("close",)),
        ("rejected", ()),
        ("shipped", ()),
    ],
)
def test_the_review_card_says_which_decisions_are_left(status: str, actions: tuple[str, ...]) -> None:
    card = decode(m.RequestReview, {**encode(REVIEW), "status": status})
    assert card.actions == actions
    _text, blocks = render(card.kind, encode(card))
    drawn = [e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert drawn == [f"request_{a}" for a in actions]


def test_only_a_question_can_be_answered() -> None:
    data: dict[str, Any] = {"id": 4, "reference": "HW-0004", "kind": "hardware"}
    asked = decode(m.RequestChanged, {**data, "change": "info_requested"})
    assert asked.can_answer
    _text, blocks = render(asked.kind, encode(asked))
    assert [b["block_id"] for b in blocks if b["type"] == "actions"] == ["request_answer_4"]
    assert not decode(m.RequestChanged, {**data, "change": "approved"}).can_answer


def test_a_row_that_does_not_fit_is_refused_without_quoting_it() -> None:
    # The refusal ends up in the log and on the failed outbox row: it names fields, never values.
    from bot.program.linking.messages import LinkCodeMessage

    with pytest.raises(ValueError) as refused:
        decode(LinkCodeMessage, {"username": "alice", "code": "SECRET-1234", "program": "P"})
    assert "SECRET-1234" not in str(refused.value) and "alice" not in str(refused.value)
    assert "command: missing" in str(refused.value) and "minutes: missing" in str(refused.value)
