"""A reason or note someone wrote reaches its reader in full, in blocks Slack accepts: every
message is checked with the Slack stand-in's validator (slack_sdk's models and Slack's limits)."""

from __future__ import annotations

from typing import Any

import pytest

import handlers.slack  # noqa: F401 - the listeners and views as the app loads them
from bot.sandbox.slack.blockkit import block_problems
from handlers.slack.blocks import render

REASON = "<&> " * 499 + "end"  # 2 000 characters (the reason fields' limit), 9 000+ escaped


def shown(blocks: list[dict[str, Any]]) -> str:
    parts = [b["text"]["text"] for b in blocks if isinstance(b.get("text"), dict)]
    text = " ".join(parts).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return " ".join(text.split())


@pytest.mark.parametrize(
    ("template", "data"),
    [
        ("rejected", {"reason": REASON, "program": "P"}),
        ("group_outcome", {"group_id": 1, "title": "T", "outcome": "rejected", "text": REASON}),
        ("group_outcome", {"group_id": 1, "title": "T", "outcome": "needs_changes", "text": REASON}),
        ("request_status", {"reference": "HW-1", "kind": "hardware", "change": "rejected", "text": REASON}),
        (
            "request_status",
            {"id": 3, "reference": "HW-1", "kind": "hardware", "change": "info_requested", "text": REASON},
        ),
    ],
)
def test_the_reason_is_shown_whole_within_slacks_limits(template: str, data: dict[str, Any]) -> None:
    text, blocks = render(template, data)
    assert block_problems(blocks, "/blocks", 50) == []
    assert " ".join(REASON.split()) in shown(blocks)
    assert len(text) <= 40_000
