"""Render the public pages from the templates in bot/web/templates (autoescaped HTML5).

jinja2 is imported on the first render, not when bot.server is imported: the bot must stay small
after start, and most processes (the CLI, a bot nobody browses) never render a page."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from bot.config import Settings

if TYPE_CHECKING:
    from jinja2 import Environment

    from bot.program.public.directory import PublicDirectory

# The pages every page links to: (key, address, label).
NAV = (
    ("program", "/program", "About"),
    ("ambassadors", "/program/ambassadors", "Ambassadors"),
    ("groups", "/program/groups", "User groups"),
    ("events", "/program/events", "Events"),
)


@cache
def environment() -> Environment:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("bot.web", "templates"),
        autoescape=True,  # every value is user text until proven otherwise
        undefined=jinja2.StrictUndefined,  # a missing value is a bug, not an empty string
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )


def render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)


def page(settings: Settings, template: str, active: str, title: str, **context: Any) -> str:
    """A whole page: the layout (program name, navigation with `active` marked, one h1 `title`)."""
    return render(template, program=settings.program.name, nav=NAV, active=active, title=title, **context)


def directory_page(
    settings: Settings, directory: PublicDirectory, q: str = "", problem: str | None = None
) -> str:
    """/program/ambassadors, and `export directory --format html`."""
    return page(
        settings, "ambassadors.html", "ambassadors", "Ambassadors", q=q, problem=problem, directory=directory
    )
