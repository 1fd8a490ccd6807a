"""Render a calendar feed as RFC 5545 iCalendar (with RRULE, EXDATE and VTIMEZONE).

The VTIMEZONEs are written here rather than by icalendar's `add_missing_timezones`, whose output
packs a zone's changes into comma-separated RDATE values (ical.js, the parser of Thunderbird and
many web calendars, reads only the first value of each, so it put half the instants an hour off;
it also leaves out the DTSTART of a component that has RDATEs) and gives each onset in the local
time *after* the change. Here every change is its own STANDARD or DAYLIGHT component with a single
DTSTART, the onset in the local time before the change (in TZOFFSETFROM), as in RFC 5545 §3.6.5's
examples ("DTSTART:19671029T020000" with TZOFFSETFROM:-0400 for New York's fall-back). The
changes are taken from the tz database (zoneinfo) from the first series start up to
`TZ_HORIZON` after the feed was read; clients refresh a feed far more often than that.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import icalendar

from bot.program.events.calendar import Feed, SeriesFeed
from bot.program.events.recurrence import Recurrence, parse_wall, to_instant

PRODID = "-//ambassador-bot//calendar//EN"
TZ_HORIZON = timedelta(days=366 * 10)

_Change = tuple[datetime, timedelta, timedelta, str, bool]  # instant, from, to, name, dst after


def _state(tz: ZoneInfo, at: datetime) -> tuple[timedelta, timedelta, str]:
    local = at.astimezone(tz)
    return local.utcoffset() or timedelta(), local.dst() or timedelta(), local.tzname() or ""


def _changes(tz: ZoneInfo, lo: datetime, hi: datetime) -> list[_Change]:
    """Every change of offset or name in [lo, hi): a day-by-day scan, then a bisection to the second."""
    out: list[_Change] = []
    step = timedelta(days=1)
    t, before = lo, _state(tz, lo)
    while t < hi:
        nxt = t + step
        after = _state(tz, nxt)
        if after != before:
            a, b = t, nxt  # the state changes somewhere in (a, b]
            while b - a > timedelta(seconds=1):
                mid = a + (b - a) / 2
                mid = mid.replace(microsecond=0)
                if _state(tz, mid) == before:
                    a = mid
                else:
                    b = mid
            out.append((b, before[0], after[0], after[2], after[1] != timedelta()))
            before = after
        t = nxt
    return out


@lru_cache(maxsize=64)
def _zone_changes(name: str, first: datetime, last: datetime) -> tuple[_Change, ...]:
    return tuple(_changes(ZoneInfo(name), first, last))


@lru_cache(maxsize=64)
def vtimezone(name: str, first: datetime, last: datetime) -> icalendar.Timezone:
    """A VTIMEZONE for `name` that is right for every instant in [first, last] (UTC)."""
    tz = ZoneInfo(name)
    vtz = icalendar.Timezone()
    vtz.add("tzid", name)
    offset, dst, tzname = _state(tz, first)
    opening = icalendar.TimezoneDaylight() if dst else icalendar.TimezoneStandard()
    opening.add("dtstart", (first + offset).replace(tzinfo=None))
    opening.add("tzoffsetfrom", offset)
    opening.add("tzoffsetto", offset)
    opening.add("tzname", tzname)
    vtz.add_component(opening)
    for at, off_from, off_to, label, is_dst in _zone_changes(name, first, last):
        comp = icalendar.TimezoneDaylight() if is_dst else icalendar.TimezoneStandard()
        comp.add("dtstart", (at + off_from).replace(tzinfo=None))  # onset in the time before it
        comp.add("tzoffsetfrom", off_from)
        comp.add("tzoffsetto", off_to)
        comp.add("tzname", label)
        vtz.add_component(comp)
    return vtz


def _pinned(
    s: SeriesFeed, master: icalendar.Event, tz: ZoneInfo, stamp: datetime, changes: tuple[_Change, ...]
) -> list[icalendar.Event]:
    """Occurrences at a wall time the clocks skip or repeat, pinned to their instant.

    RFC 5545 §3.3.10 reads such an instance as §3.3.5 does: a time in the gap with the offset before
    the gap (02:30 → 03:30 EDT), a repeated time as its first occurrence. The bot does the same
    (bot/program/events/recurrence.py); ical.js reads both the other way. An override with the same
    RECURRENCE-ID (matched by every parser in its own reading) and a UTC DTSTART gives every
    calendar the same instant. Cancelled ones need none: each parser's EXDATE matches its own reading.
    """
    rule = Recurrence(s.rrule, s.start_local, s.timezone)
    excluded = set(s.excluded)
    out: list[icalendar.Event] = []
    if not changes:
        return out
    # One pass over the rule (dateutil walks from DTSTART on every call) across the changes.
    for inst in rule.instances(changes[0][0] - timedelta(days=1), changes[-1][0] + timedelta(days=1)):
        once = to_instant(inst.wall, tz) == inst.wall.replace(tzinfo=tz, fold=1).astimezone(UTC)
        if once or inst.wall in excluded:
            continue  # a wall time that exists once, or cancelled
        ev = icalendar.Event()
        for name in ("uid", "summary", "url", "description"):
            if name in master:
                ev.add(name, master[name])
        ev.add("dtstamp", stamp)
        ev.add("recurrence-id", inst.wall.replace(tzinfo=tz))
        ev.add("dtstart", inst.start)
        ev.add("duration", timedelta(minutes=s.duration_minutes))
        out.append(ev)
    return out


def render_ics(feed: Feed, domain: str = "ambassador-bot", name: str = "Ambassador program") -> bytes:
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    now = (feed.now or datetime.now(UTC)).astimezone(UTC)
    stamp = now.replace(microsecond=0)
    # Each zone is written from the day before its first series start to TZ_HORIZON after today:
    # whole days, so the cached changes and VTIMEZONE serve every read of the day.
    day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    windows: dict[str, tuple[datetime, datetime]] = {}
    for s in feed.series:
        first = to_instant(parse_wall(s.start_local), ZoneInfo(s.timezone)) - timedelta(days=1)
        first = first.replace(hour=0, minute=0, second=0, microsecond=0)
        first = min(first, windows.get(s.timezone, (first, first))[0])
        windows[s.timezone] = (first, max(day, first) + TZ_HORIZON)
    events: list[icalendar.Event] = []
    for s in feed.series:
        tz = ZoneInfo(s.timezone)
        start = parse_wall(s.start_local).replace(tzinfo=tz)
        ev = icalendar.Event()
        ev.add("uid", f"series-{s.key}@{domain}")
        ev.add("dtstamp", stamp)
        ev.add("summary", s.title)
        ev.add("dtstart", start)
        ev.add("duration", timedelta(minutes=s.duration_minutes))
        ev.add("rrule", icalendar.vRecur.from_ical(s.rrule))
        if s.link:
            ev.add("url", s.link)
            ev.add("description", f"Join: {s.link}")
        for wall in s.excluded:
            ev.add("exdate", wall.replace(tzinfo=tz))  # the rule's wall time, with the TZID
        events.append(ev)
        events += _pinned(s, ev, tz, stamp, _zone_changes(s.timezone, *windows[s.timezone]))
    for b in feed.bookings:
        ev = icalendar.Event()
        ev.add("uid", f"booking-{b.booking_id}@{domain}")
        ev.add("dtstamp", stamp)
        ev.add("summary", b.title)
        ev.add("dtstart", b.start.astimezone(UTC))
        ev.add("dtend", (b.start + timedelta(minutes=b.minutes)).astimezone(UTC))
        if b.link:
            ev.add("url", b.link)
        events.append(ev)
    for zone in sorted(windows):  # the zones first: some parsers resolve a TZID as they read it
        cal.add_component(vtimezone(zone, *windows[zone]))
    for ev in events:
        cal.add_component(ev)
    data: bytes = cal.to_ical()
    return data
