"""The Markdown "get help and support" page (`export directory`): the public directory
(bot/program/public/directory.py) as Markdown, one section per listed ambassador with only the
fields they chose to show, user text escaped so it cannot become headings, links or HTML."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from bot.program.public.directory import PublicAmbassador
from bot.program.text import plural

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")

# (label, attribute of PublicAmbassador), in the order the page shows them.
FIELDS = (
    ("Location", "location"),
    ("Expertise", "expertise"),
    ("Can help with", "helps_with"),
    ("How to reach", "contact"),
    ("Home user group", "home_group"),
)


def _md(text: str) -> str:
    """One line of Markdown-safe text (user input must not become headings, links or HTML)."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _section(person: PublicAmbassador) -> list[str]:
    lines = ["", f"## {_md(person.name) if person.name else 'An ambassador'}", ""]
    for label, attr in FIELDS:
        value = getattr(person, attr)
        if value:
            lines.append(f"- **{label}:** {_md(value)}")
    return lines


def directory_page(people: Sequence[PublicAmbassador], program: str, when: datetime) -> str:
    lines = [
        f"# Get help and support from the {_md(program)}",
        "",
        f"{plural(len(people), 'ambassador')} {'is' if len(people) == 1 else 'are'} happy to help. "
        "Reach out to them directly. "
        f"(Generated {when:%Y-%m-%d}.)",
    ]
    for person in people:
        lines += _section(person)
    return "\n".join(lines) + "\n"
