"""The App Home tab as a typed message (bot/program/home/messages.py): it round-trips through the
outbox's JSON, a row queued before it was typed still decodes, and the renderer draws every part."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.program.home import messages as m
from bot.program.messages import decode, encode
from handlers.slack.blocks import render_view
from handlers.slack.home.views import home_view
from storage.enums import AmbassadorStatus, ApplicationStatus

T = datetime(2026, 3, 1, 10, tzinfo=UTC)
REQUEST = m.RequestItem(
    1, "HW-1", "hardware", "Hardware", "pending", "Pending", "Two boards", "U1", "€5.00", T.isoformat()
)
FULL = m.Home(
    user="U1",
    program="Prog",
    command="/amb",
    guidelines_url="https://guide.test",
    known=True,
    ambassador_status=AmbassadorStatus.ACTIVE,
    term_start=T,
    term_end=T.replace(year=2028),
    application=m.OwnApplication(3, ApplicationStatus.APPROVED, T, T),
    forum_username="bob",
    forum_linked=True,
    profile_saved=True,
    steps=(
        m.HomeStep("guidelines", "Read the guidelines", False, "button"),
        m.HomeStep("intro", "Intro", True, "event"),
    ),
    is_moderator=True,
    queue=m.ReviewQueue(
        (m.PendingApplication(7, "U2", "Ann", "Lyon", "Kubernetes", T),),
        4,
        (m.PendingNomination(9, "U3", "U4", "Great helper", T),),
        1,
    ),
    requests=(REQUEST,),
    request_queue=m.RequestQueue((REQUEST,), 3),
)


def texts(view: dict[str, Any]) -> str:
    return "\n".join(
        str(b.get("text", {}).get("text", "")) + str(b.get("elements", "")) for b in view["blocks"]
    )


def test_the_home_tab_round_trips_through_the_outbox_json() -> None:
    assert decode(m.Home, encode(FULL)) == FULL
    assert decode(m.Home, encode(m.Home(user="U9"))) == m.Home(user="U9")


def test_a_row_queued_as_the_old_snapshot_dict_still_decodes() -> None:
    old = {
        "user": "U1",
        "program": "Prog",
        "command": "/amb",
        "guidelines_url": "",
        "known": True,
        "ambassador_status": "alumni",
        "term_start": "2024-03-01T10:00:00+00:00",
        "term_end": "2026-03-01T10:00:00+00:00",
        "application": {"id": 3, "status": "rejected", "submitted_at": None, "decided_at": T.isoformat()},
        "forum_username": None,
        "forum_linked": False,
        "profile_saved": False,
        "steps": [],
        "is_moderator": False,
        "requests": [],
    }
    home = decode(m.Home, old)
    assert home.ambassador_status is AmbassadorStatus.ALUMNI and home.term_end == T
    assert home.application == m.OwnApplication(3, ApplicationStatus.REJECTED, None, T)
    assert render_view("home", old) == home_view(home)
    shown = texts(home_view(home))
    assert "*alumnus*" in shown and "term ended 2026-03-01" in shown
    assert "Forum account: not linked — type `/amb link <forum-username>`." in shown
    assert "Review queue" not in shown and "Requests to review" not in shown


def test_the_renderer_draws_every_part() -> None:
    view = render_view("home", encode(FULL))
    assert view == home_view(FULL) and view["type"] == "home"
    shown = texts(view)
    assert "*You are an ambassador* until 2028-03-01 (since 2026-03-01)." in shown
    assert "Forum account: *bob* (linked)" in shown
    assert "Onboarding: 1 of 2 done" in shown and "✅ Intro" in shown
    assert "Guidelines: <https://guide.test|ambassador guidelines>" in shown
    assert "*4 pending applications* · *1 pending nomination*" in shown
    assert "*Application #7* from <@U2> — Ann, Lyon (sent 2026-03-01)" in shown
    assert "…and 3 more applications in the moderators' channel." in shown
    assert "<@U4> nominates <@U3>" in shown
    assert "*HW-1*" in shown and "*3 open requests*" in shown
    ids = [b["block_id"] for b in view["blocks"] if "block_id" in b]
    assert {"home_onboarding", "home_app_7", "home_nom_9"} <= set(ids)


def test_a_nominee_known_only_by_their_forum_account_is_named_not_an_empty_mention() -> None:
    queue = m.ReviewQueue(
        (), 0, (m.PendingNomination(9, "", "U4", "Great helper", T, nominee_forum="dana_f"),), 1
    )
    text = texts(render_view("home", encode(m.Home(user="U1", is_moderator=True, queue=queue))))
    assert "nominates dana\\_f (on the forum)" in text or "nominates dana_f (on the forum)" in text
    assert "<@>" not in text
