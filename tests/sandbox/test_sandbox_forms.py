"""Forms and buttons in the sandbox behave as in Slack's client: pre-filled values are shown and
sent, choices are numbered, a user picker only takes people of the workspace, empty required
fields are named by their labels before anything is sent, and buttons can be told apart."""

from __future__ import annotations

import pytest

from bot.sandbox.terminal import session
from tests.sandbox.test_terminal import assert_shown, played, welcome_part

GROUP_REQUEST = [
    "/ambassador group request",
    "fill name=OpenStack Lisbon",
    "fill city=Lisbon",
    "fill country=Portugal",
    "fill description=A monthly meetup for OpenStack operators and developers in Lisbon.",
]


async def test_a_form_names_its_fields_and_refuses_what_slack_would_not_send() -> None:
    out: list[str] = []
    lines = [
        "as alice",
        "/ambassador apply",
        "fill name=Alice Example",
        "/ambassador group request",  # another form: the name typed into the first is not carried over
        "fill nope=1",
        "fill organisers_slack=@zed",
        "submit",
        "fill name",
        "fill name=" + "Ünïcødé 🚀 " * 4000,
        "fill city=Zürich 🏔",
        "click ²",
        "click Approve 99999999999999999999",
    ]
    async with played(lines, out) as sb:
        sent = sb.slack.messages_in("C0MODS")
    text = "\n".join(out)
    # bad input gets one short line each: no traceback, no 44 000 characters echoed back
    assert "Traceback" not in text and max(len(line) for line in out) < 1000
    assert_shown(
        text,
        "usage: fill <field>=<value>",
        "Group name (name) takes at most",
        "City: Zürich 🏔",
        "no button '²' in what alice can see; buttons: none",
        "no button 'Approve' in what alice can see",
    )
    assert_shown(
        text,
        "this form has no field 'nope'; its fields: Group name (name), City (city),",
        "Description (description)",
        "no one called '@zed' in the workspace; the people: @alice, @bob, @carol",
        "2 required fields still empty: Group name (name), Description (description)",
    )
    assert sent == []  # nothing reached the reviewers


async def test_a_request_sent_back_with_needs_changes_comes_back_filled_in_and_can_be_resent() -> None:
    out: list[str] = []
    lines = [
        "as alice",
        *GROUP_REQUEST,
        "fill organisers_slack=@bob",
        "submit",
        "as carol",
        "buttons",
        "click 3",
        "fill reason=Please add a website.",
        "submit",
        "as alice",
        "/ambassador group request",
        "fill website=https://lisbon.example.org",
        "submit",
    ]
    async with played(lines, out) as sb:
        reviews = [str(m.get("text", "")) for m in sb.slack.messages_in("C0MODS")]
    text = "\n".join(out)
    assert_shown(
        text,
        "1. [Approve] in #moderators: User group request #1: OpenStack Lisbon",
        "3. [Needs changes] in #moderators: User group request #1: OpenStack Lisbon",
        "form opened: Ask for changes",
        # the form comes back with what alice sent (the user picker shows the person by name)
        "• name: Group name = OpenStack Lisbon",
        "• organisers_slack: Other organisers on Slack (optional) = @bob",
        "*Website*: https://lisbon.example.org",
    )
    # the request went back to the reviewers: a new review message after the one sent back
    assert reviews == [
        "User group request #1: OpenStack Lisbon — changes requested",
        "User group request #1: OpenStack Lisbon",
    ]


async def test_choices_are_numbered_a_preselected_one_is_kept_and_like_buttons_are_told_apart() -> None:
    out: list[str] = []
    lines = [
        *welcome_part(),
        "as bob",
        *GROUP_REQUEST,
        "submit",
        "as carol",
        "click Approve",
        "fill mentor=7",
        "submit",
        "click Done",
        "buttons",
        "click Done 5",
        "/ambassador nominate @bob He runs the Porto meetup",
    ]
    async with played(lines, out):
        pass
    text = "\n".join(out)
    assert_shown(
        text,
        "• mentor: Mentor = Alice Example · Lisbon, Portugal · 0 groups ★",
        "      1. Alice Example · Lisbon, Portugal · 0 groups ★",
        "Mentor (mentor) has no choice '7'; choose a number or a text: 1. Alice Example",
        "with @alice as mentor",  # the pre-selected mentor
        "8 buttons say 'Done' in one message: type `click Done 1` … `click Done 8`",
        "Your nomination of @bob (#1) is with the moderators",  # typed as in the README
    )
    # `buttons` tells the eight apart by their step; `click Done 5` ticked the fifth step only
    assert "  5. [Done] in #moderators: ⬜ Portal and forum updated — _the community manager or" in text
    assert "✅ Portal and forum updated — @carol" in text
    assert "✅ Requirements confirmed" not in text


async def test_a_form_the_bot_opens_then_fills_is_printed_once() -> None:
    out: list[str] = []
    lines = [*welcome_part(), "/ambassador profile", "submit", "as bob", "/ambassador apply"]
    async with played(lines, out):
        pass
    text = "\n".join(out)
    assert text.count("Directory profile") == 1, text
    # the same form opened by someone else is a new form: it is shown again
    assert text.count("form opened: Ambassador application") == 2, text
    assert_shown(
        text,
        "• expertise: Expertise (comma-separated) = Kubernetes, running meetups",
        "• city: City (optional) = Lisbon",
        "1 required field still empty: How to reach you (contact)",
    )


async def test_interactive_submit_asks_for_each_empty_field_and_again_after_a_bad_answer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    answers = {"Description: ": ["A monthly meetup for OpenStack operators and developers in Lisbon."]}
    answers["Other organisers on Slack (optional): "] = ["@zed", "@bob"]
    asked: list[str] = []

    async def person(prompt: str) -> str:
        asked.append(prompt.strip())
        queue = answers.get(prompt.strip() + " ")
        return queue.pop(0) if queue else ""

    monkeypatch.setattr(session, "ask", person)
    out: list[str] = []
    async with played(["as alice", *GROUP_REQUEST[:3]], out) as sb:
        assert await sb.do("submit", interactive=True)
        reviews = [str(m.get("text", "")) for m in sb.slack.messages_in("C0MODS")]
    text = "\n".join(out)
    assert "Group name:" not in asked  # typed already: not asked again
    assert asked.count("Other organisers on Slack (optional):") == 2
    assert_shown(text, "no one called '@zed' in the workspace", "*Organisers*: @alice, @bob")
    assert reviews == ["User group request #1: OpenStack Lisbon"]
