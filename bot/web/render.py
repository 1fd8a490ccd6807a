"""Render the public pages from the templates in bot/web/templates (autoescaped HTML5).

jinja2 is imported on the first render, not when bot.server is imported: the bot must stay small
after start, and most processes (the CLI, a bot nobody browses) never render a page.

The one part repeated thousands of times, a directory entry, is written by `entry_html` (every
value through `html.escape`) and remembered by its content: a Jinja2 loop spends most of its time
making one `Markup` per value (six per person, 12 000 for a page of 2 000), which put the page
over its 50 ms budget; an entry's HTML depends only on what the person shows, so a remembered
one can never be stale (bench/public_pages.py measures both)."""

from __future__ import annotations

import html
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any

from bot.config import Settings
from bot.program.public.directory import PublicAmbassador

if TYPE_CHECKING:
    from jinja2 import Environment

    from bot.program.public.directory import PublicDirectory

# A directory entry's fields: (label, attribute of PublicAmbassador), in page order.
ENTRY_FIELDS = (
    ("Location", "location"),
    ("Expertise", "expertise"),
    ("Can help with", "helps_with"),
    ("How to reach", "contact"),
    ("Home user group", "home_group"),
)
REMEMBERED_ENTRIES = 8192  # a few thousand listed people, each a few hundred bytes

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


@lru_cache(maxsize=REMEMBERED_ENTRIES)
def entry_html(person: PublicAmbassador) -> str:
    """One `<li class="ambassador">`: the name (or "An ambassador") and the fields shown."""
    name = html.escape(person.name) if person.name else "An ambassador"
    parts = ['<li class="ambassador">\n<h2>', name, "</h2>\n<dl>\n"]
    for label, attr in ENTRY_FIELDS:
        value = getattr(person, attr)
        if value:
            parts += ["<dt>", label, "</dt><dd>", html.escape(value), "</dd>\n"]
    parts.append("</dl>\n</li>\n")
    return "".join(parts)


def directory_page(
    settings: Settings, directory: PublicDirectory, q: str = "", problem: str | None = None
) -> str:
    """/program/ambassadors, and `export directory --format html`."""
    from markupsafe import Markup  # jinja2's own dependency, imported with it

    entries = Markup("".join(entry_html(p) for p in directory.people))  # noqa: S704 (escaped in entry_html)
    return page(
        settings,
        "ambassadors.html",
        "ambassadors",
        "Ambassadors",
        q=q,
        problem=problem,
        directory=directory,
        entries=entries,
    )
