"""The explicit registry of Slack renderers: outbox template name -> Block Kit builder.

`slack_renderers()` builds the mapping from each feature's views module (message templates and
whole-view templates such as the Home tab). Nothing registers itself on import: a template exists
because it is listed here, and a name claimed twice is a programming error caught at build time.
The composition root (`bot/runtime.py`) hands the result to the Slack deliverer; `blocks.render` /
`blocks.render_view` are shortcuts onto the same registry for the Home tab and the tests.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, TypeVar

from handlers.slack import blocks
from handlers.slack.applications import views as applications_views
from handlers.slack.blocks import Block, MessageRenderer, ViewRenderer
from handlers.slack.events import views as events_views
from handlers.slack.groups import messages as groups_messages
from handlers.slack.home import views as home_views
from handlers.slack.nominations import views as nominations_views
from handlers.slack.onboarding import views as onboarding_views
from handlers.slack.reports import views as reports_views
from handlers.slack.requests import views as requests_views
from handlers.slack.terms import views as terms_views

# Every views module that builds outbox message templates, each listed once.
MESSAGE_SOURCES: tuple[Callable[[], Mapping[str, MessageRenderer]], ...] = (
    blocks.templates,
    applications_views.templates,
    nominations_views.templates,
    terms_views.templates,
    events_views.templates,
    groups_messages.templates,
    requests_views.templates,
    reports_views.templates,
    onboarding_views.templates,
)
VIEW_SOURCES: tuple[Callable[[], Mapping[str, ViewRenderer]], ...] = (home_views.view_templates,)


@dataclass(frozen=True)
class SlackRenderers:
    """Template name -> renderer, for outbox messages and for whole views (the App Home tab)."""

    messages: Mapping[str, MessageRenderer]
    views: Mapping[str, ViewRenderer]

    def render(self, template: str, data: Mapping[str, Any]) -> tuple[str, list[Block]]:
        """An outbox message: its fallback text and Block Kit blocks."""
        try:
            builder = self.messages[template]
        except KeyError:
            raise ValueError(f"unknown message template {template!r}") from None
        return builder(data)

    def render_view(self, template: str, data: Mapping[str, Any]) -> Block:
        """A whole view (the App Home tab)."""
        try:
            builder = self.views[template]
        except KeyError:
            raise ValueError(f"unknown view template {template!r}") from None
        return builder(data)


R = TypeVar("R")


def _merge(sources: Iterable[Callable[[], Mapping[str, R]]]) -> dict[str, R]:
    out: dict[str, R] = {}
    for source in sources:
        for name, renderer in source().items():
            if name in out:
                raise ValueError(f"template {name!r} has two renderers")
            out[name] = renderer
    return out


@cache
def slack_renderers() -> SlackRenderers:
    """The Slack renderers of every feature (built once; the mappings are not changed after)."""
    return SlackRenderers(messages=_merge(MESSAGE_SOURCES), views=_merge(VIEW_SOURCES))
