"""The public ambassador directory: `listed_ambassadors`, shared by /program/ambassadors, the
forum directory topic and `export directory`.

A search (`query`) ranks with `/ambassador find`'s rules (bot/program/directory/search.py:
`query_words`, then `rank` on each person's search words) — but over the fields the person chose
to show only, so a search can never reveal a hidden field (a hidden city cannot make someone
match "Berlin"). Interests and the bio are never public, so they never count here."""

from __future__ import annotations

from dataclasses import dataclass

from bot.config import Settings
from bot.program.directory.profiles import PUBLIC_FIELDS
from bot.program.directory.search import query_words, rank, search_text
from storage.profiles import DirectoryRow
from storage.public import PublicRow
from storage.uow import UnitOfWork

PUBLIC_KEYS = frozenset(key for key, _label in PUBLIC_FIELDS)
ALL_FIELDS = ",".join(key for key, _label in PUBLIC_FIELDS)  # as the form stores "everything"


@dataclass(frozen=True)
class PublicAmbassador:
    """What one listed person chose to show; None for a field not chosen (or left empty)."""

    name: str | None
    location: str | None
    expertise: str | None
    helps_with: str | None
    contact: str | None
    home_group: str | None


@dataclass(frozen=True)
class PublicDirectory:
    """The listed people (ranked when searched), the words searched, and the ignored ones."""

    people: tuple[PublicAmbassador, ...]
    words: tuple[str, ...] = ()
    ignored: tuple[str, ...] = ()
    listed: int = 0  # how many are listed in all


def _text(value: str | None) -> str | None:
    return value if value and not value.isspace() else None


def public_view(row: PublicRow) -> PublicAmbassador:
    chosen = row.public_fields
    if chosen == ALL_FIELDS:  # the common case, without a split
        shows = PUBLIC_KEYS
    else:
        shows = frozenset(chosen.split(","))
    location = None
    if "location" in shows:
        location = ", ".join(x for x in (row.city.strip(), row.country.strip()) if x) or None
    return PublicAmbassador(
        name=_text(row.display_name) if "name" in shows else None,
        location=location,
        expertise=_text(row.expertise) if "expertise" in shows else None,
        helps_with=_text(row.help_with) if "help_with" in shows else None,
        contact=_text(row.contact) if "contact" in shows else None,
        home_group=_text(row.home_group) if "home_group" in shows else None,
    )


def _search_row(row: PublicRow, shown: PublicAmbassador, key: int) -> DirectoryRow:
    """`rank`'s input for one person, built from what they show only. `key` (the position in
    `rows`) rides in the slack_user_id slot to find the person again; it never leaves here."""
    values = {
        "expertise": shown.expertise or "",
        "help_with": shown.helps_with or "",
        "city": row.city if shown.location else "",
        "country": row.country if shown.location else "",
    }
    return DirectoryRow(
        row.person_id,
        str(key),
        shown.name or "",
        search_text(values),
        "",
        "",
        "",
        "",
        "",
        "",
    )


def search(rows: list[PublicRow], text: str) -> PublicDirectory:
    """The listed people matching `text`, best first (InvalidInput when no word is long enough)."""
    query, ignored = query_words(text)
    shown = [public_view(r) for r in rows]
    candidates = [_search_row(r, v, i) for i, (r, v) in enumerate(zip(rows, shown, strict=True))]
    hits, _total = rank(candidates, query, len(candidates))
    people = tuple(shown[int(h.slack_user_id or 0)] for h in hits)
    return PublicDirectory(people, query, ignored, len(rows))


async def listed_ambassadors(
    uow: UnitOfWork, settings: Settings, query: str | None = None
) -> list[PublicAmbassador]:
    """Every listed active ambassador with what they chose to show, by name; with `query`, only
    those it matches, best first (InvalidInput when the query has no word of two letters)."""
    return list((await directory(uow, settings, query)).people)


async def directory(uow: UnitOfWork, settings: Settings, query: str | None = None) -> PublicDirectory:
    rows = await uow.public.listed()
    if query is not None and query.strip():
        return search(rows, query)
    return PublicDirectory(tuple(public_view(r) for r in rows), listed=len(rows))
