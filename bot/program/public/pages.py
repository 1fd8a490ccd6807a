"""The data of the program's other public pages: the landing page, the user groups (with their
map) and the upcoming events. Plain values only: bot/web renders them.

Nothing here names a person who did not opt in: an event's host (a Slack id) is never shown, nor
its call link (a public page would invite strangers into the meeting); a group's mentor and
organisers come from storage/public.py, which names only listed people and forum accounts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.config import Settings
from bot.program.applications.form import canonical_tz
from bot.program.events.series import Occurrence
from storage.enums import OccurrenceStatus, UserGroupStatus
from storage.public import PublicGroupRow

MAX_TZ = 64  # the longest IANA name is about 30 characters

# The map: an equirectangular projection onto a 360 × 180 box (x = longitude + 180,
# y = 90 − latitude), so a marker's place is its coordinates and no tile server is needed.
MAP_WIDTH, MAP_HEIGHT = 360, 180


@dataclass(frozen=True)
class ProgramInfo:
    name: str
    about: tuple[str, ...]  # paragraphs
    apply_url: str
    forum_url: str
    calendar_url: str


def program_info(settings: Settings) -> ProgramInfo:
    paragraphs = tuple(p.strip() for p in settings.web.about.split("\n\n") if p.strip())
    public = settings.server.public_url.rstrip("/")
    return ProgramInfo(
        settings.program.name,
        paragraphs,
        settings.web.apply_url,
        settings.discourse.url.rstrip("/"),
        f"{public}/calendar.ics",
    )


# -- events ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicEvent:
    title: str
    kind: str
    start_utc: str  # ISO 8601, e.g. 2026-12-03T17:00:00Z (for <time datetime>)
    end_utc: str
    start_text: str  # in the page's timezone, e.g. "Thu 3 Dec 2026, 18:00 CET"
    end_text: str
    cancelled: bool


@dataclass(frozen=True)
class EventsPage:
    timezone: str
    asked_timezone: str | None  # a ?tz= that is not a timezone (shown back, as text)
    events: tuple[PublicEvent, ...]


def page_timezone(settings: Settings, asked: str | None) -> tuple[str, str | None]:
    """(the timezone to write times in, the asked one when it is not a timezone)."""
    if asked is None or not asked.strip():
        return settings.web.timezone, None
    wanted = asked.strip()[:MAX_TZ]
    canonical = canonical_tz(wanted) if "/" in wanted or wanted.upper() == "UTC" else None
    if canonical is None:
        return settings.web.timezone, wanted
    return canonical, None


def _iso(at: datetime) -> str:
    return at.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%dT%H:%M:%SZ")


def _local(at: datetime, tz: ZoneInfo) -> str:
    local = at.astimezone(tz)
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M} {local.tzname() or ''}".strip()


def events_page(occurrences: Sequence[Occurrence], timezone: str, asked: str | None = None) -> EventsPage:
    tz = ZoneInfo(timezone)
    events = tuple(
        PublicEvent(
            o.title,
            o.kind,
            _iso(o.start),
            _iso(o.end),
            _local(o.start, tz),
            _local(o.end, tz),
            o.status != OccurrenceStatus.SCHEDULED,
        )
        for o in occurrences
    )
    return EventsPage(timezone, asked, events)


# -- user groups ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicGroup:
    title: str
    city: str
    region: str
    country: str
    official: bool
    website: str
    mentor: str | None  # named only when listed with their name shown
    has_mentor: bool
    organisers: tuple[str, ...]
    hidden_organisers: int
    anchor: str  # the id of its entry on the page, linked from its map marker
    marker: tuple[float, float] | None  # (x, y) on the map, when the group has coordinates


@dataclass(frozen=True)
class City:
    name: str
    groups: tuple[PublicGroup, ...]


@dataclass(frozen=True)
class Country:
    name: str
    cities: tuple[City, ...]


@dataclass(frozen=True)
class GroupsPage:
    countries: tuple[Country, ...]
    markers: tuple[PublicGroup, ...]  # the groups with coordinates
    total: int
    official: int


def marker(latitude: float | None, longitude: float | None) -> tuple[float, float] | None:
    """The map position of a place; None without (valid) coordinates."""
    if latitude is None or longitude is None:
        return None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    return round(longitude + 180, 2), round(90 - latitude, 2)


def _group(row: PublicGroupRow) -> PublicGroup:
    website = row.website if row.website.startswith(("https://", "http://")) else ""
    return PublicGroup(
        row.title,
        row.city,
        row.region,
        row.country,
        row.status == UserGroupStatus.OFFICIAL,
        website,
        row.mentor,
        row.has_mentor,
        row.organisers,
        row.hidden_organisers,
        f"group-{row.id}",
        marker(row.latitude, row.longitude),
    )


def groups_page(rows: Sequence[PublicGroupRow]) -> GroupsPage:
    """The groups by country, then city (rows come sorted so from storage/public.py)."""
    groups = [_group(r) for r in rows]
    countries: list[Country] = []
    by_country: dict[str, dict[str, list[PublicGroup]]] = {}
    for g in groups:
        by_country.setdefault(g.country.strip() or "Elsewhere", {}).setdefault(
            g.city.strip() or "—", []
        ).append(g)
    for country, cities in by_country.items():
        countries.append(Country(country, tuple(City(c, tuple(gs)) for c, gs in cities.items())))
    return GroupsPage(
        tuple(countries),
        tuple(g for g in groups if g.marker is not None),
        len(groups),
        sum(1 for g in groups if g.official),
    )
