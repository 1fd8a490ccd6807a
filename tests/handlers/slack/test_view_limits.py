"""Slack's limits hold for the biggest answers: 50 blocks per message, 100 per view, 3000
characters per section text, and user text cannot ping @channel."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.program.audit import AuditLine, AuditReport
from bot.program.commands import HELP
from bot.program.directory.search import FindHit, FindResult
from handlers.slack.audit.views import audit_message
from handlers.slack.blocks import render, render_view
from handlers.slack.directory.views import find_message
from handlers.slack.text import help_answer

HUGE = "<!channel> ü🎉 " * 400


def sections_ok(blocks: list[dict[str, Any]]) -> None:
    for b in blocks:
        if b["type"] == "section":
            assert len(b["text"]["text"]) <= 3000
            assert "<!channel>" not in b["text"]["text"]


def test_find_answer_fits_one_message_even_with_huge_profiles() -> None:
    hit = FindHit("U1", HUGE, 9, ("kube",), HUGE, HUGE, "Europe/Berlin", HUGE, HUGE, HUGE)
    text, blocks = find_message(FindResult(("kube",), (hit,) * 10, 5000), "/ambassador")
    assert len(blocks) <= 50 and len(text) <= 3000
    sections_ok(blocks)
    assert "4990 more" in str(blocks[-1])


def test_audit_answer_fits() -> None:
    line = AuditLine(
        datetime.now(UTC), "U1", "slack", "profile.updated", "person", "1", {"bio": HUGE}, {"bio": HUGE}
    )
    text, blocks = audit_message(AuditReport("U1", HUGE, (line,) * 20))
    assert len(blocks) <= 50 and len(text) <= 3000
    sections_ok(blocks)


def test_home_with_a_long_queue_fits_a_view() -> None:
    apps = [
        {"id": i, "applicant": "U1", "name": HUGE, "location": HUGE, "expertise": HUGE, "submitted_at": None}
        for i in range(10)
    ]
    noms = [
        {"id": i, "nominee": "U2", "nominator": "U3", "reason": HUGE, "created_at": None} for i in range(10)
    ]
    steps = [
        {"key": f"s{i}", "title": HUGE[:200], "done": False, "completes": "moderator"} for i in range(10)
    ]
    data = {
        "user": "U1",
        "program": HUGE,
        "is_moderator": True,
        "ambassador_status": "active",
        "steps": steps,
        "queue": {
            "applications": apps,
            "applications_total": 99,
            "nominations": noms,
            "nominations_total": 99,
        },
    }
    view = render_view("home", data)
    assert view["type"] == "home" and len(view["blocks"]) <= 100
    sections_ok(view["blocks"])
    ids = [b["block_id"] for b in view["blocks"] if "block_id" in b]
    assert len(ids) == len(set(ids))  # Slack refuses duplicate block ids


def test_outbox_templates_are_registered_and_escape_user_text() -> None:
    text, blocks = render(
        "nomination_review", {"nomination_id": 1, "nominee": "U1", "nominator": "U2", "reason": HUGE}
    )
    sections_ok(blocks)
    assert "nomination #1" in text and "Invite to apply" in str(blocks)
    assert render("nomination_invite", {"nomination_id": 1, "nominator": "U2", "reason": "hi"})[0]
    assert render("stepped_down", {"user": "U1", "name": HUGE})[0]


def test_help_lists_moderator_commands_separately() -> None:
    _, blocks = help_answer("/ambassador", HELP, moderator=True)
    assert "*For moderators*" in str(blocks) and "/ambassador audit @user" in str(blocks)
    sections_ok(blocks)
    _, blocks = help_answer("/ambassador", HELP, moderator=False)
    assert "*For moderators*" not in str(blocks) and "/ambassador audit @user" not in str(blocks)
    sections_ok(blocks)
