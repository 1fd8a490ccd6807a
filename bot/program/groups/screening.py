"""The rules the bot applies to a user group request before a person looks at it.

Pure functions, no I/O: comparing names without case or accents, the geographic naming rule
("<Community> <City/Region>", any pet name moved into braces at the end), spam and
"not a user group" checks, easy missing information, and overlap with existing groups
(same city, within a distance when coordinates are known, or same region without a city).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

EARTH_RADIUS_KM = 6371.0088
MAX_PET_NAME = 40
MAX_TITLE = 150

# Words around a pet name that carry no meaning of their own once the community and the place
# are gone ("Stackers *of* Auckland", "Auckland *User Group*"). Compared folded; only stripped
# from the ends of what remains, so "Friends and Family" keeps its "and".
FILLERS = frozenset(
    """
    of in the at from for and & + user users group groups usergroup usergroups ug lug meetup meetups
    meet-up community communities club society chapter team
    de del della la le les du des di da do dos das von der und e y et fur en el los
    ユーザー会 ユーザーグループ 用户组 用戶組
    """.split()
)
_CONNECTORS = frozenset("of in at from for and & + y et und e de del di da do du des von".split())
_GAP = "\u2063"  # marks where a term was taken out (an invisible separator nobody types)
_EDGE_PUNCT = "-–—:;,.|/\\()[]{}<>\"'“”‘’«»·•*_!?#~"


# -- comparing text ----------------------------------------------------------------------------


def _fold_char(ch: str) -> str:
    """One character without case, and without accents when it is a Latin letter (ü → u,
    ß → ss); other scripts keep their marks (Japanese ガ stays ガ)."""
    decomposed = unicodedata.normalize("NFKD", ch)
    if decomposed and ord(decomposed[0]) < 0x250:
        base = "".join(c for c in decomposed if not unicodedata.combining(c))
        return base.casefold()
    return unicodedata.normalize("NFKC", ch).casefold()


def fold(text: str) -> str:
    """Text for comparisons: no case, no Latin accents, single spaces."""
    folded = "".join(_fold_char(ch) for ch in unicodedata.normalize("NFC", text or ""))
    return " ".join(folded.split())


def _fold_with_map(text: str) -> tuple[str, list[int]]:
    """The folded text and, for each folded character, the index of the original it came from."""
    out: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        for c in _fold_char(ch):
            out.append(c)
            index.append(i)
    return "".join(out), index


def _term_pattern(term: str, loose_spaces: bool = False) -> re.Pattern[str] | None:
    """A pattern for a folded term: whole words for Latin-script terms, plain substring otherwise
    (scripts such as Japanese do not separate words with spaces)."""
    term = fold(term)
    if not term:
        return None
    if loose_spaces and term.isascii() and " " not in term:
        body = r"[\s\-]?".join(re.escape(c) for c in term)  # "openstack" also finds "Open Stack"
    else:
        body = r"\s+".join(re.escape(w) for w in term.split())
    if term.isascii():
        return re.compile(rf"(?<![^\W_]){body}(?![^\W_])")
    return re.compile(body)


def contains_term(text: str, term: str) -> bool:
    pattern = _term_pattern(term)
    return bool(pattern and pattern.search(fold(text)))


def clean_text(value: str | None) -> str:
    """NFC, no control characters (newlines and tabs kept), trimmed."""
    text = unicodedata.normalize("NFC", value or "")
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc").strip()


def one_line(value: str | None) -> str:
    return " ".join(clean_text(value).split())


# -- the naming rule ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Title:
    title: str
    place: str  # the city, else the region, else the country ("" when none is known)
    pet_name: str  # "" when the requested name had nothing beyond community and place


def _remove_terms(text: str, terms: Iterable[tuple[str, bool]]) -> str:
    for term, loose in terms:
        pattern = _term_pattern(term, loose)
        if pattern is None:
            continue
        while True:
            folded, index = _fold_with_map(text)
            m = pattern.search(folded)
            if m is None or m.end() == m.start():
                break
            start, end = index[m.start()], index[m.end() - 1] + 1
            text = f"{text[:start]} {_GAP} {text[end:]}"
    return text


def _close_gaps(words: list[str]) -> list[str]:
    """Where a place or the community was taken out between two connectors ("Stackers of
    <Takapuna> and the North Shore"), keep one connector: "Stackers of the North Shore"."""
    out: list[str] = []
    for i, word in enumerate(words):
        if word == _GAP:
            continue
        prev_gap = i > 0 and words[i - 1] == _GAP
        before = next((w for w in reversed(out) if w != _GAP), "")
        if prev_gap and fold(word) in _CONNECTORS and fold(before.strip(_EDGE_PUNCT)) in FILLERS and out:
            continue
        out.append(word)
    return out


def _strip_edges(words: list[str]) -> list[str]:
    def noise(word: str) -> bool:
        bare = word.strip(_EDGE_PUNCT)
        return not bare or fold(bare) in FILLERS

    while words and noise(words[0]):
        words.pop(0)
    while words and noise(words[-1]):
        words.pop()
    if words:
        words[0] = words[0].lstrip(_EDGE_PUNCT) or words[0]
        words[-1] = words[-1].rstrip(_EDGE_PUNCT) or words[-1]
    return words


def normalise_title(name: str, community: str, city: str = "", region: str = "", country: str = "") -> Title:
    """Apply the naming rule: "<Community> <City/Region>", with whatever else the requested name
    says (a pet name) moved into braces at the end.

    >>> normalise_title("Stackers of Auckland", "OpenStack", "Auckland").title
    'OpenStack Auckland {Stackers}'
    """
    name = one_line(name)
    community = one_line(community)
    city, region, country = one_line(city), one_line(region), one_line(country)
    place = city or region or country
    if place.islower():  # "auckland" → "Auckland", "são paulo" → "São Paulo"; "St. John's" stays
        place = " ".join(w[:1].upper() + w[1:] for w in place.split())
    # An explicit pet name in braces wins; what is outside the braces is read like any name.
    braced = re.findall(r"\{([^{}]*)\}", name)
    outside = re.sub(r"\{[^{}]*\}", " ", name)
    rest = _remove_terms(outside, [(community, True), *((p, False) for p in (city, region, country) if p)])
    words = _strip_edges(_close_gaps(rest.replace("{", " ").replace("}", " ").split()))
    pieces = [one_line(b) for b in braced if one_line(b)]
    pet = " ".join(pieces) if pieces else " ".join(words)
    pet = pet.replace("{", "").replace("}", "").strip()
    if fold(pet) in {fold(community), fold(place)}:
        pet = ""
    if len(pet) > MAX_PET_NAME:
        pet = pet[: MAX_PET_NAME - 1].rstrip() + "…"
    title = " ".join(p for p in (community, place) if p)
    if pet:
        title = f"{title} {{{pet}}}" if title else f"{{{pet}}}"
    return Title(title[:MAX_TITLE], place, pet)


# -- spam and "not a user group" ---------------------------------------------------------------


SPAM = "spam"
NO_LOCATION = "no_location"
GENERAL_IT = "general_it"

_URL = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)


@dataclass(frozen=True)
class Flag:
    code: str  # SPAM, NO_LOCATION or GENERAL_IT
    reason: str  # a sentence for reviewers and, when rejected, for the requester

    @property
    def spam(self) -> bool:
        return self.code == SPAM


@dataclass(frozen=True)
class Rules:
    community: str
    blocklist: tuple[str, ...] = ()
    general_it_terms: tuple[str, ...] = ()
    topic_terms: tuple[str, ...] = ()  # words that show the group is about the community
    require_location: bool = True
    max_links: int = 8
    min_description: int = 40


@dataclass(frozen=True)
class Request:
    """What a requester sent, cleaned."""

    name: str
    city: str = ""
    region: str = ""
    country: str = ""
    website: str = ""
    links: str = ""
    description: str = ""
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True)
class Screening:
    flags: tuple[Flag, ...] = ()
    missing: tuple[str, ...] = ()

    @property
    def spam(self) -> Flag | None:
        return next((f for f in self.flags if f.spam), None)


def _quote(term: str) -> str:
    return f"“{one_line(term)}”"


def screen(req: Request, rules: Rules) -> Screening:
    """Flags (spam, no location, general IT) with their reasons, and easy missing information."""
    text = " \n ".join((req.name, req.city, req.region, req.country, req.website, req.links, req.description))
    flags: list[Flag] = []
    hits = [t for t in rules.blocklist if t.strip() and contains_term(text, t)]
    if hits:
        flags.append(
            Flag(SPAM, f"mentions {', '.join(_quote(t) for t in hits[:3])}, which is on the blocklist")
        )
    links = len(_URL.findall(req.description))
    if rules.max_links and links > rules.max_links:
        flags.append(Flag(SPAM, f"its description carries {links} links"))
    if rules.require_location and not (req.city or req.region):
        flags.append(Flag(NO_LOCATION, "gives no city or region, and a user group meets in a place"))
    topic = rules.topic_terms or (rules.community,)
    on_topic = any(t.strip() and contains_term(text, t) for t in topic)
    it_hits = [t for t in rules.general_it_terms if t.strip() and contains_term(text, t)]
    if it_hits and not on_topic:
        flags.append(
            Flag(
                GENERAL_IT,
                f"looks like a general IT group (it mentions {', '.join(_quote(t) for t in it_hits[:3])}) "
                f"and never mentions {one_line(rules.community) or 'the community'}",
            )
        )
    missing: list[str] = []
    if not req.country:
        missing.append("the country")
    if req.region == "" and req.city == "" and not any(f.code == NO_LOCATION for f in flags):
        missing.append("the city or region")
    if not req.website and not req.links:
        missing.append("a website, or a meetup or social media page")
    if len(req.description) < rules.min_description:
        missing.append("a description of what the group does and who it is for (a few sentences)")
    return Screening(tuple(flags), tuple(missing))


# -- places and overlap ------------------------------------------------------------------------


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance between two points on Earth, in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


_COORDS = re.compile(r"^\s*([+-]?\d{1,3}(?:\.\d+)?)\s*[,;\s]\s*([+-]?\d{1,3}(?:\.\d+)?)\s*$")


def parse_coordinates(text: str) -> tuple[float, float] | None:
    """ "-36.85, 174.76" → (-36.85, 174.76); raises ValueError for anything else that is not empty."""
    text = one_line(text)
    if not text:
        return None
    m = _COORDS.match(text)
    if m is None:
        raise ValueError("Write the coordinates as latitude, longitude, e.g. -36.85, 174.76.")
    lat, lon = float(m.group(1)), float(m.group(2))
    if not -90 <= lat <= 90 or not -180 <= lon <= 180:
        raise ValueError("Latitude goes from -90 to 90 and longitude from -180 to 180.")
    return lat, lon


@dataclass(frozen=True)
class Place:
    city: str = ""
    region: str = ""
    country: str = ""
    latitude: float | None = None
    longitude: float | None = None

    @property
    def has_coordinates(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    def distance_km(self, other: Place) -> float | None:
        if self.latitude is None or self.longitude is None:
            return None
        if other.latitude is None or other.longitude is None:
            return None
        return haversine_km(self.latitude, self.longitude, other.latitude, other.longitude)

    def describe(self) -> str:
        return ", ".join(p for p in (self.city, self.region, self.country) if p) or "no place given"


@dataclass(frozen=True)
class Existing:
    id: int
    title: str
    place: Place


@dataclass(frozen=True)
class Overlap:
    group_id: int
    title: str
    reason: str
    rank: int = 0  # 0 same city, 1 near, 2 same region; lower is stronger
    distance_km: float | None = field(default=None, compare=False)


def _same(a: str, b: str) -> bool:
    return bool(a) and bool(b) and fold(a) == fold(b)


def _countries_agree(a: Place, b: Place) -> bool:
    return not a.country or not b.country or fold(a.country) == fold(b.country)


def find_overlap(new: Place, existing: Sequence[Existing], max_km: float) -> Overlap | None:
    """The strongest overlap of `new` with an existing group, or None.

    Same city (in the same country when both name one); else within `max_km` when both have
    coordinates; else the same region when one of the two names no city."""
    found: list[Overlap] = []
    for g in existing:
        p = g.place
        distance = new.distance_km(p)
        if _same(new.city, p.city) and _countries_agree(new, p):
            found.append(Overlap(g.id, g.title, f"same city ({p.city})", 0, distance))
        elif distance is not None and max_km > 0 and distance <= max_km:
            found.append(Overlap(g.id, g.title, f"{distance:.0f} km apart", 1, distance))
        elif _same(new.region, p.region) and (not new.city or not p.city) and _countries_agree(new, p):
            found.append(
                Overlap(g.id, g.title, f"same region ({p.region}) and no city to tell them apart", 2)
            )
    if not found:
        return None
    return min(found, key=lambda o: (o.rank, o.distance_km if o.distance_km is not None else 0.0, o.group_id))


def matches_place(place: Place, query: str) -> bool:
    """Whether a free-text place ("auckland", "New Zealand") names this group's city, region or
    country."""
    q = fold(query)
    return bool(q) and any(
        q == fold(p) or contains_term(p, q) for p in (place.city, place.region, place.country) if p
    )
