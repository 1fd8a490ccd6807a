"""The explicit renderer registry (handlers/slack/renderers.py): every template the program queues
has a renderer (Slack's, or the forum's for a forum post), and nothing needs importing first for a
template to exist."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from handlers.discourse.renderers import discourse_renderers
from handlers.slack import blocks
from handlers.slack.renderers import MESSAGE_SOURCES, SlackRenderers, _merge, slack_renderers

ROOT = Path(__file__).resolve().parents[3]
# How the program names a template in an outbox payload: {"template": "<name>", "data": {...}}.
QUEUED = re.compile(r'"template":\s*"([a-z_]+)"')
# How a typed message names its kind (bot/program/messages.py): kind: ClassVar[Literal["<name>"]] = …
TYPED = re.compile(r'kind:\s*ClassVar\[Literal\["([a-z_]+)"\]\]')


def queued_templates() -> set[str]:
    return {
        name
        for path in (ROOT / "bot" / "program").rglob("*.py")
        for pattern in (QUEUED, TYPED)
        for name in pattern.findall(path.read_text(encoding="utf-8"))
    }


def test_the_program_queues_templates() -> None:
    # So the check below has something to check (a changed spelling would leave it empty).
    assert {"application_review", "home", "group_review", "request_status", "notice"} <= queued_templates()


def test_every_queued_template_has_a_renderer() -> None:
    # A Slack message or view is drawn by the Slack registry, a forum post by the forum's
    # (handlers/discourse/renderers.py); no kind is claimed by both.
    renderers = slack_renderers()
    slack = set(renderers.messages) | set(renderers.views)
    forum = set(discourse_renderers().posts)
    assert sorted(queued_templates() - slack - forum) == []
    assert slack & forum == set()


def test_the_home_tab_is_a_view_template_and_the_rest_are_messages() -> None:
    renderers = slack_renderers()
    assert set(renderers.views) == {"home"}
    assert "home" not in renderers.messages


def test_the_registry_is_built_once_and_is_what_render_uses() -> None:
    assert slack_renderers() is slack_renderers()
    assert isinstance(slack_renderers(), SlackRenderers)
    text, out = blocks.render("notice", {"text": "Hello"})
    assert text == "Hello" and out
    with pytest.raises(ValueError, match="unknown message template"):
        blocks.render("no_such_template", {})
    with pytest.raises(ValueError, match="unknown view template"):
        blocks.render_view("no_such_template", {})


def test_a_template_claimed_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="'notice' has two renderers"):
        _merge((*MESSAGE_SOURCES, blocks.templates))
