"""HTTP caching of the public pages (RFC 9110 §8.8 validators, §13 conditional requests).

A page's ETag is a hash of what it shows: the directory's cheap version (storage/public.py) and
the query, or the rendered body of the small pages. Last-Modified is when this process first
served that ETag, rounded up to the next second and always later than any it gave before: a page
that changes after a visitor's copy therefore always has a later date than the copy, even
within one second, and a page read again from the database never moves its date back (as a
"latest updated_at" would when a person is forgotten and their rows deleted).

`If-None-Match` wins over `If-Modified-Since` when both are sent (RFC 9110 §13.1.3)."""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime

CACHE_CONTROL = "public, max-age=60"
REMEMBERED = 512  # ETags whose first-served time is kept
BODIES_MAX_BYTES = 4_000_000  # rendered pages kept (a directory of 2 000 people is ~0.6 MB)


def etag(*parts: object) -> str:
    digest = hashlib.blake2b(repr(parts).encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()
    return f'"{digest}"'


def _tags(header: str) -> set[str]:
    """The entity tags of an If-None-Match list, weak ones compared by their opaque part."""
    return {t.strip().removeprefix("W/") for t in header.split(",") if t.strip()}


class Freshness:
    """When each ETag was first served by this process (a bounded memory)."""

    def __init__(self) -> None:
        self._first: OrderedDict[str, datetime] = OrderedDict()
        self._latest = datetime.min.replace(tzinfo=UTC)

    def last_modified(self, tag: str, now: datetime) -> datetime:
        known = self._first.get(tag)
        if known is not None:
            self._first.move_to_end(tag)
            return known
        at = now.astimezone(UTC).replace(microsecond=0) + timedelta(seconds=1)
        at = max(at, self._latest + timedelta(seconds=1))
        self._latest = at
        self._first[tag] = at
        while len(self._first) > REMEMBERED:
            self._first.popitem(last=False)
        return at


def http_date(at: datetime) -> str:
    return format_datetime(at.astimezone(UTC), usegmt=True)


def not_modified(
    if_none_match: str | None, if_modified_since: str | None, tag: str, modified: datetime
) -> bool:
    """Whether the visitor's copy is current (answer 304)."""
    if if_none_match is not None:
        tags = _tags(if_none_match)
        return "*" in tags or tag in tags
    if if_modified_since is None:
        return False
    try:
        since = parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError, IndexError):
        return False  # an unreadable date is ignored (RFC 9110 §13.1.3)
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    return modified <= since


def headers(tag: str, modified: datetime) -> dict[str, str]:
    return {"ETag": tag, "Last-Modified": http_date(modified), "Cache-Control": CACHE_CONTROL}


class Bodies:
    """Rendered pages by ETag, the most recent first out of a bounded total size. A page's ETag
    is a hash of everything it shows, so a kept body is never stale: a change makes a new ETag."""

    def __init__(self, max_bytes: int = BODIES_MAX_BYTES) -> None:
        self._bodies: OrderedDict[str, str] = OrderedDict()
        self._size = 0
        self._max = max_bytes

    def get(self, tag: str) -> str | None:
        body = self._bodies.get(tag)
        if body is not None:
            self._bodies.move_to_end(tag)
        return body

    def put(self, tag: str, body: str) -> None:
        if len(body) > self._max or tag in self._bodies:
            return
        self._bodies[tag] = body
        self._size += len(body)
        while self._size > self._max:
            _old, dropped = self._bodies.popitem(last=False)
            self._size -= len(dropped)
