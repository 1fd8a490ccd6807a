"""The words, tags and scoring of `/ambassador find` (documented for users in README):

- Text is normalised (Unicode NFKD, accents dropped, case-folded) and split into words of letters
  and digits; query words shorter than 2 characters are ignored, at most 10 are used.
- A query word *hits* a field when it is the start of a word in that field ("kube" hits
  "Kubernetes"). Each query word scores, per field it hits: expertise 3, interests 2, location
  (city or country) 2, bio or "can help with" 1. A profile's score is the sum.
- Only active ambassadors are searched. Best score first; ties by name (case-insensitive), then by
  who joined first. The top 10 are shown, with a note of how many more matched.

`Profile.search_text` holds the searchable words as " f:word f:word … " (f: e expertise,
i interests, l location, b bio/help), so the database can prefilter with LIKE '% _:word%'; the
score and the order are computed here on the narrow matching rows (id, name, search_text), and
only the shown ones are then read in full.
"""

from __future__ import annotations

import heapq
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from bot.program.errors import InvalidInput
from storage.profiles import DirectoryRow

MIN_WORD = 2
MAX_WORDS = 10
SHOWN = 10

# Field letter in search_text → weight of a hit there.
WEIGHTS: tuple[tuple[str, int], ...] = (("e", 3), ("i", 2), ("l", 2), ("b", 1))
FIELD_SOURCES: dict[str, tuple[str, ...]] = {
    "e": ("expertise",),
    "i": ("interests",),
    "l": ("city", "country"),
    "b": ("bio", "help_with"),
}

_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class FindHit:
    slack_user_id: str | None
    name: str
    score: int
    matched: tuple[str, ...]
    city: str
    country: str
    timezone: str
    expertise: str
    help_with: str
    contact: str


@dataclass(frozen=True)
class FindResult:
    words: tuple[str, ...]
    hits: tuple[FindHit, ...]
    total: int
    ignored: tuple[str, ...] = ()


def words(text: str) -> list[str]:
    """Normalised words of `text`, in order, without duplicates."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    seen: dict[str, None] = {}
    for w in _WORD.findall(plain):
        seen.setdefault(w, None)
    return list(seen)


def tags(text: str) -> list[str]:
    """Comma- (or semicolon-, or line-) separated tags, trimmed, without duplicates."""
    out: dict[str, str] = {}
    for raw in re.split(r"[,;\n]", text):
        tag = " ".join(raw.split())
        if tag:
            out.setdefault(tag.casefold(), tag)
    return list(out.values())


def search_text(values: Mapping[str, str]) -> str:
    parts: list[str] = []
    for letter, sources in FIELD_SOURCES.items():
        seen: dict[str, None] = {}
        for source in sources:
            for w in words(values.get(source, "")):
                seen.setdefault(w, None)
        parts.extend(f"{letter}:{w}" for w in seen)
    return " " + " ".join(parts) + " " if parts else ""


def _needles(query: Sequence[str]) -> list[tuple[str, tuple[tuple[str, int], ...]]]:
    """Per query word, the substrings that mean a hit in each field, with that field's weight.
    Words hold no space or colon, so " f:q" occurs in a search_text exactly when a word of field
    f starts with q (the text starts with a space)."""
    return [(q, tuple((f" {letter}:{q}", weight) for letter, weight in WEIGHTS)) for q in query]


def _points(text: str, needles: list[tuple[str, tuple[tuple[str, int], ...]]]) -> int:
    total = 0
    for _q, fields in needles:
        for needle, weight in fields:
            if needle in text:
                total += weight
    return total


def score(text: str, query: Sequence[str]) -> tuple[int, tuple[str, ...]]:
    """(score, the query words that hit) of a profile's search_text."""
    total = 0
    hit: list[str] = []
    for q, fields in _needles(query):
        got = _points(text, [(q, fields)])
        if got:
            hit.append(q)
        total += got
    return total, tuple(hit)


def best(matches: Iterable[tuple[int, str, str]], query: Sequence[str], shown: int) -> tuple[list[int], int]:
    """The person ids of the best `shown` of (person id, name, search_text) rows, best first, and
    how many rows scored at all. Same order as `rank`: score, then name (case-folded), then id."""
    needles = _needles(query)
    scored: list[tuple[int, int, str]] = []
    for person_id, name, text in matches:
        points = _points(text, needles)
        if points > 0:
            scored.append((-points, person_id, name))
    # Ties on the score are rare enough to case-fold names only for the rows that might be shown.
    top = heapq.nsmallest(shown, scored, key=lambda t: (t[0], t[2].casefold(), t[1]))
    return [person_id for _, person_id, _ in top], len(scored)


def query_words(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(the query words used, the ones ignored) of what a person typed; InvalidInput when none
    is long enough."""
    all_words = words(text)
    query = tuple(w for w in all_words if len(w) >= MIN_WORD)[:MAX_WORDS]
    if not query:
        raise InvalidInput("Please give at least one word of two or more letters to search for.")
    return query, tuple(w for w in all_words if w not in query)


def rank(rows: Sequence[DirectoryRow], query: Sequence[str], shown: int) -> tuple[list[FindHit], int]:
    """The best `shown` hits among the candidates, and how many candidates scored at all."""
    scored: list[tuple[int, str, int, tuple[str, ...], DirectoryRow]] = []
    for row in rows:
        points, matched = score(row.search_text, query)
        if points > 0:
            scored.append((points, row.display_name.casefold(), row.person_id, matched, row))
    scored.sort(key=lambda t: (-t[0], t[1], t[2]))
    hits = [
        FindHit(
            slack_user_id=row.slack_user_id,
            name=row.display_name,
            score=points,
            matched=matched,
            city=row.city,
            country=row.country,
            timezone=row.timezone,
            expertise=row.expertise,
            help_with=row.help_with,
            contact=row.contact,
        )
        for points, _, _, matched, row in scored[:shown]
    ]
    return hits, len(scored)
