"""Render a calendar feed as RFC 5545 iCalendar (with RRULE, EXDATE and VTIMEZONE)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar

from bot.program.calendar import Feed

PRODID = "-//ambassador-bot//calendar//EN"


def render_ics(feed: Feed, domain: str = "ambassador-bot", name: str = "Ambassador program") -> bytes:
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    stamp = datetime.now(UTC).replace(microsecond=0)
    for s in feed.series:
        tz = ZoneInfo(s.timezone)
        start = datetime.strptime(s.start_local, "%Y-%m-%dT%H:%M").replace(tzinfo=tz)
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
        for ex in s.excluded:
            ev.add("exdate", ex.astimezone(tz))
        cal.add_component(ev)
    for b in feed.bookings:
        ev = icalendar.Event()
        ev.add("uid", f"booking-{b.booking_id}@{domain}")
        ev.add("dtstamp", stamp)
        ev.add("summary", b.title)
        ev.add("dtstart", b.start.astimezone(UTC))
        ev.add("dtend", (b.start + timedelta(minutes=b.minutes)).astimezone(UTC))
        if b.link:
            ev.add("url", b.link)
        cal.add_component(ev)
    cal.add_missing_timezones()
    data: bytes = cal.to_ical()
    return data
