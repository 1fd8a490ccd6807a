"""Directory profiles, `find`, and the Markdown "get help and support" page.

Search and scoring (documented for users in README):
- Text is normalised (Unicode NFKD, accents dropped, case-folded) and split into words of letters
  and digits; query words shorter than 2 characters are ignored, at most 10 are used.
- A query word *hits* a field when it is the start of a word in that field ("kube" hits
  "Kubernetes"). Each query word scores, per field it hits: expertise 3, interests 2, location
  (city or country) 2, bio or "can help with" 1. A profile's score is the sum.
- Only active ambassadors are searched. Best score first; ties by name (case-insensitive), then by
  who joined first. The top 10 are shown, with a note of how many more matched.

`Profile.search_text` holds the searchable words as " f:word f:word … " (f: e expertise,
i interests, l location, b bio/help), so the database can prefilter with LIKE '% f:word%' and even
pre-rank with the same weights; the exact score is computed here on that bounded candidate set.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.config import Settings
from bot.program import home
from bot.program.applications import FieldSpec, _canonical_tz, _clean
from bot.program.errors import InvalidInput
from bot.program.onboarding import complete_in
from bot.program.ports import Clock, NoSignal, OutboxSignal
from bot.program.roles import Roles
from storage.enums import AmbassadorStatus, Platform
from storage.models import Application, Person
from storage.profiles import DirectoryRow, Profile
from storage.uow import UnitOfWork

PROFILE_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("bio", "About you", 1000, required=False, multiline=True),
    FieldSpec(
        "expertise", "Expertise (comma-separated)", 500, hint="e.g. Kubernetes, Python, community events"
    ),
    FieldSpec("interests", "Interests", 500, required=False, hint="e.g. open hardware, education"),
    FieldSpec("help_with", "What you can help with", 1000, required=False, multiline=True),
    FieldSpec("contact", "How to reach you", 300, hint="e.g. DM me in Slack, or @jane on the forum"),
    FieldSpec(
        "timezone",
        "Timezone",
        64,
        required=False,
        hint="An IANA name such as Europe/Berlin or America/New_York",
    ),
    FieldSpec("city", "City", 100, required=False),
    FieldSpec("country", "Country", 100, required=False),
)

PROFILE_STEP = "profile"
MAX_TAGS = 20
MAX_TAG_LEN = 60
MIN_WORD = 2
MAX_WORDS = 10
SHOWN = 10
# The database pre-ranks with the same weights, so a few more candidates than shown suffice; the
# margin covers ties that SQL and Python order differently (lower() vs casefold() on non-ASCII).
CANDIDATES = 50

# Field letter in search_text → weight of a hit there.
WEIGHTS: tuple[tuple[str, int], ...] = (("e", 3), ("i", 2), ("l", 2), ("b", 1))
FIELD_SOURCES: dict[str, tuple[str, ...]] = {
    "e": ("expertise",),
    "i": ("interests",),
    "l": ("city", "country"),
    "b": ("bio", "help_with"),
}

_WORD = re.compile(r"[^\W_]+")


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


def score(text: str, query: Sequence[str]) -> tuple[int, tuple[str, ...]]:
    """(score, the query words that hit) of a profile's search_text."""
    by_field: dict[str, list[str]] = {}
    for token in text.split():
        letter, _, word = token.partition(":")
        by_field.setdefault(letter, []).append(word)
    total = 0
    hit: list[str] = []
    for q in query:
        got = 0
        for letter, weight in WEIGHTS:
            if any(w.startswith(q) for w in by_field.get(letter, ())):
                got += weight
        if got:
            hit.append(q)
        total += got
    return total, tuple(hit)


def validate_profile(form: Mapping[str, str | None]) -> dict[str, str]:
    cleaned: dict[str, str] = {}
    problems: dict[str, str] = {}
    for spec in PROFILE_FIELDS:
        value = _clean(form.get(spec.key))
        if spec.required and not value:
            problems[spec.key] = "Please fill this in."
        elif len(value) > spec.max_len:
            problems[spec.key] = f"Please keep this under {spec.max_len} characters (it has {len(value)})."
        cleaned[spec.key] = value
    if "expertise" not in problems:
        found = tags(cleaned["expertise"])
        if len(found) > MAX_TAGS:
            problems["expertise"] = f"Please list at most {MAX_TAGS} areas (there are {len(found)})."
        elif any(len(t) > MAX_TAG_LEN for t in found):
            problems["expertise"] = (
                f"Please keep each area under {MAX_TAG_LEN} characters; separate them with commas."
            )
        cleaned["expertise"] = ", ".join(found)
    tz = cleaned.get("timezone", "")
    if tz and "timezone" not in problems:
        canonical = _canonical_tz(tz)
        if canonical is None:
            problems["timezone"] = "Unknown timezone; use a name like Europe/Berlin or America/New_York."
        else:
            cleaned["timezone"] = canonical
    if problems:
        raise InvalidInput("Some answers need fixing.", problems)
    return cleaned


@dataclass(frozen=True)
class SaveResult:
    changed: tuple[str, ...]
    step_completed: bool


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


def _split_location(location: str) -> tuple[str, str]:
    if "," in location:
        city, _, country = location.rpartition(",")
        return city.strip(), country.strip()
    return location.strip(), ""


def _values(profile: Profile | None, person: Person | None, app: Application | None) -> dict[str, str]:
    if profile is not None:
        return {spec.key: str(getattr(profile, spec.key) or "") for spec in PROFILE_FIELDS}
    out = {spec.key: "" for spec in PROFILE_FIELDS}
    if app is not None:
        out["expertise"] = ", ".join(tags(app.expertise))[:500]
        out["city"], out["country"] = _split_location(app.location)
    if person is not None and person.timezone:
        out["timezone"] = person.timezone
    return out


class ProfileService:
    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        settings: Settings,
        roles: Roles,
        clock: Clock,
        signal: OutboxSignal | None = None,
    ) -> None:
        self._uow = uow
        self._settings = settings
        self._roles = roles
        self._clock = clock
        self._signal = signal or NoSignal()

    async def current(self, slack_user_id: str) -> dict[str, str]:
        """The form's prefill: the saved profile, else what the application said."""
        async with self._uow() as uow:
            person = await uow.people.by_slack_id(slack_user_id)
            if person is None:
                return _values(None, None, None)
            profile = await uow.profiles.for_person(person.id)
            app = await uow.lifecycle.latest_application(person.id) if profile is None else None
            return _values(profile, person, app)

    async def save(
        self, slack_user_id: str, form: Mapping[str, str | None], display_name: str = ""
    ) -> SaveResult:
        data = validate_profile(form)
        now = self._clock.now()
        async with self._uow() as uow:
            person = await uow.people.get_or_create_slack(slack_user_id, display_name)
            profile = await uow.profiles.for_person(person.id)
            if profile is None:
                profile = await uow.profiles.add(Profile(person_id=person.id, updated_at=now))
                before: dict[str, str] = {}
            else:
                before = _values(profile, None, None)
            changed = tuple(k for k, v in data.items() if before.get(k, "") != v)
            for key, value in data.items():
                setattr(profile, key, value)
            profile.search_text = search_text(data)
            profile.updated_at = now
            if changed:
                await uow.audit.record(
                    at=now,
                    actor=slack_user_id,
                    platform=Platform.SLACK,
                    action="profile.updated",
                    subject_type="person",
                    subject_id=person.id,
                    before={k: before[k] for k in changed if k in before} or None,
                    after={k: data[k] for k in changed},
                )
            step_done = False
            amb = await uow.lifecycle.ambassador(person.id)
            if amb is not None and amb.status == AmbassadorStatus.ACTIVE:
                step = next((s for s in await uow.lifecycle.steps(amb.id) if s.key == PROFILE_STEP), None)
                if step is not None and step.completes == "event" and step.completed_at is None:
                    step_done = await complete_in(
                        uow,
                        self._settings,
                        self._roles,
                        person,
                        amb,
                        step,
                        slack_user_id,
                        Platform.SLACK,
                        now,
                    )
            if not step_done:
                await home.queue_refresh(uow, self._settings, self._roles, slack_user_id, now)
        self._signal.kick()
        return SaveResult(changed, step_done)

    async def find(self, text: str, shown: int = SHOWN, candidates: int = CANDIDATES) -> FindResult:
        all_words = words(text)
        query = tuple(w for w in all_words if len(w) >= MIN_WORD)[:MAX_WORDS]
        ignored = tuple(w for w in all_words if w not in query)
        if not query:
            raise InvalidInput("Please give at least one word of two or more letters to search for.")
        async with self._uow() as uow:
            rows, total = await uow.profiles.search(query, WEIGHTS, candidates)
        scored: list[tuple[int, str, int, tuple[str, ...], DirectoryRow]] = []
        for row in rows:
            points, matched = score(row.search_text, query)
            if points > 0:
                scored.append((points, row.display_name.casefold(), row.person_id, matched, row))
        scored.sort(key=lambda t: (-t[0], t[1], t[2]))
        hits = tuple(
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
        )
        return FindResult(query, hits, max(total, len(scored)), ignored)

    async def export_directory(self, generated: datetime | None = None) -> str:
        """The Markdown "get help and support" page: one section per active ambassador."""
        when = generated or self._clock.now()
        async with self._uow() as uow:
            rows = await uow.profiles.active_directory()
        program = self._settings.program.name
        forum = self._settings.discourse.url
        lines = [
            f"# Get help and support from the {_md(program)}",
            "",
            f"{len(rows)} ambassadors are happy to help. Reach out to them directly. "
            f"(Generated {when:%Y-%m-%d}.)",
        ]
        for person, _amb, profile, app in rows:
            v = _values(profile, person, app)
            if profile is None and app is not None and not v["city"]:
                v["city"] = app.location
            location = ", ".join(x for x in (v["city"], v["country"]) if x)
            reach = v["contact"]
            if not reach and person.forum_username and forum:
                reach = f"@{person.forum_username} on the forum ({forum}/u/{person.forum_username})"
            lines += [
                "",
                f"## {_md(person.display_name or person.forum_username or 'Ambassador')}",
                "",
                f"- **Location:** {_md(location) or '—'}",
                f"- **Timezone:** {_md(v['timezone']) or '—'}",
                f"- **Expertise:** {_md(v['expertise']) or '—'}",
                f"- **Can help with:** {_md(v['help_with']) or '—'}",
                f"- **How to reach:** {_md(reach) or '—'}",
            ]
        return "\n".join(lines) + "\n"


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


def _md(text: str) -> str:
    """One line of Markdown-safe text (user input must not become headings, links or HTML)."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))
