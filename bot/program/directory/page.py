"""The Markdown "get help and support" page: one section per active ambassador, user text escaped
so it cannot become headings, links or HTML."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from bot.program.directory.profiles import profile_values
from bot.program.text import plural
from storage.models import Ambassador, Application, Person
from storage.profiles import Profile

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")

Entry = tuple[Person, Ambassador, Profile | None, Application | None]


def _md(text: str) -> str:
    """One line of Markdown-safe text (user input must not become headings, links or HTML)."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _section(entry: Entry, forum: str) -> list[str]:
    person, _amb, profile, app = entry
    v = profile_values(profile, person, app)
    if profile is None and app is not None and not v["city"]:
        v["city"] = app.location
    location = ", ".join(x for x in (v["city"], v["country"]) if x)
    reach = v["contact"]
    if not reach and person.forum_username and forum:
        reach = f"@{person.forum_username} on the forum ({forum}/u/{person.forum_username})"
    return [
        "",
        f"## {_md(person.display_name or person.forum_username or 'Ambassador')}",
        "",
        f"- **Location:** {_md(location) or '—'}",
        f"- **Timezone:** {_md(v['timezone']) or '—'}",
        f"- **Expertise:** {_md(v['expertise']) or '—'}",
        f"- **Can help with:** {_md(v['help_with']) or '—'}",
        f"- **How to reach:** {_md(reach) or '—'}",
    ]


def directory_page(entries: Sequence[Entry], program: str, forum: str, when: datetime) -> str:
    lines = [
        f"# Get help and support from the {_md(program)}",
        "",
        f"{plural(len(entries), 'ambassador')} {'is' if len(entries) == 1 else 'are'} happy to help. "
        "Reach out to them directly. "
        f"(Generated {when:%Y-%m-%d}.)",
    ]
    for entry in entries:
        lines += _section(entry, forum)
    return "\n".join(lines) + "\n"
