"""The typed messages of user groups: they round-trip through the outbox's JSON, rows queued as
the old dicts still decode, the cards carry which actions are allowed, and the Slack renderers
draw those actions."""

from __future__ import annotations

from typing import Any

import pytest

from bot.program.groups import messages as m
from bot.program.messages import Message, MessageRef, decode, encode, slack_message
from handlers.slack.blocks import render
from storage.enums import Platform

REVIEW = m.GroupReview(
    group_id=7,
    revision=2,
    title="Kubernetes Lisbon {KubeLx}",
    requested_name="KubeLx",
    city="Lisbon",
    country="Portugal",
    requester="U1",
    organisers=("<@U1>", "forum: maria"),
    flags=(m.GroupFlag("topic", "looks like a general IT meetup"),),
    missing=("a website",),
    overlap=m.GroupOverlap(3, "Kubernetes Portugal", "approved", "12 km apart"),
    auto_approve_hours=48.0,
    status="pending",
)
HANDOVER = m.GroupHandover(
    group_id=7,
    title="Kubernetes Lisbon",
    mentor="U2",
    status="approved",
    steps=(
        m.HandoverStepLine(
            "requirements",
            "Requirements met",
            ("the mentor",),
            done=True,
            by="U2",
            at="2026-01-02T10:00:00+00:00",
        ),
        m.HandoverStepLine("logo", "Logo received", ("the mentor",), needs="link"),
    ),
)
MESSAGES: list[Message] = [
    REVIEW,
    m.GroupConflict.of(REVIEW, asked_by="U3"),
    m.GroupOutcome(group_id=7, title="T", outcome="rejected", text="spam", what_is="https://x.example/ug"),
    m.GroupMentor(group_id=7, title="T", requester="U1", by="U3"),
    HANDOVER,
    m.GroupRecognition(title="Welcome", text="Hello <@U1>"),
]


@pytest.mark.parametrize("message", MESSAGES, ids=lambda msg: msg.kind)
def test_a_message_round_trips_through_the_outbox_data(message: Message) -> None:
    assert decode(type(message), encode(message)) == message


def test_a_row_queued_as_the_old_dict_still_decodes() -> None:
    old: dict[str, Any] = {
        "group_id": 7,
        "title": "T",
        "flags": [{"code": "spam", "reason": "links to a shop"}],
        "overlap": {"id": 3, "title": "Other", "status": "approved", "reason": "same city"},
        "status": "pending",
        "conflict": "",
        "auto_approve_hours": 0.0,
    }
    review = decode(m.GroupReview, old)
    assert review.flags == (m.GroupFlag("spam", "links to a shop"),)
    assert review.overlap == m.GroupOverlap(3, "Other", "approved", "same city")
    assert encode(review)["flags"] == old["flags"]


@pytest.mark.parametrize(
    ("changes", "actions"),
    [
        ({}, ("approve", "reject", "changes", "ask_ambassadors", "object")),
        ({"conflict": "open"}, ("approve", "reject", "changes", "object")),
        ({"objected_by": "U4", "overlap": None}, ("approve", "reject", "changes")),
        ({"status": "rejected"}, ()),
    ],
)
def test_the_review_card_says_which_actions_are_left(
    changes: dict[str, Any], actions: tuple[str, ...]
) -> None:
    card = decode(m.GroupReview, {**encode(REVIEW), **changes})
    assert card.actions == actions
    _text, blocks = render(card.kind, encode(card))
    drawn = [e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert len(drawn) == len(actions)


def test_the_conflict_card_offers_resolving_until_it_is_resolved() -> None:
    assert m.GroupConflict.of(REVIEW).actions == ("resolve",)
    resolved = m.GroupConflict.of(decode(m.GroupReview, {**encode(REVIEW), "conflict": "resolved"}))
    assert resolved.actions == ()
    text, _blocks = render(resolved.kind, encode(resolved))
    assert text.endswith("— resolved")


def test_handover_steps_can_be_ticked_only_while_it_runs() -> None:
    assert HANDOVER.can_tick and HANDOVER.done == 1
    _text, blocks = render(HANDOVER.kind, encode(HANDOVER))
    assert [b["accessory"]["value"] for b in blocks if "accessory" in b] == ["7:logo"]
    official = decode(m.GroupHandover, {**encode(HANDOVER), "status": "official"})
    assert not official.can_tick
    text, blocks = render(official.kind, encode(official))
    assert text.endswith("— official") and not [b for b in blocks if "accessory" in b]


def test_a_slack_click_becomes_a_neutral_reference() -> None:
    assert slack_message("C1", "1.2") == MessageRef(Platform.SLACK, "C1", "1.2")
    assert slack_message(None, "1.2") is None and slack_message("C1", None) is None
