"""A running bot with a seeded program for the browser tests and `scripts/screenshots.py`: listed
and unlisted ambassadors, user groups with coordinates, and events (one occurrence cancelled).

The bot runs in a thread with its own event loop, so the browser (Playwright's synchronous API)
drives it from the test's thread as a visitor would, over real HTTP."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bot.sandbox.harness.stack import MOD, Stack, start_stack
from storage.enums import AmbassadorStatus, UserGroupStatus
from storage.groups import UserGroup
from storage.models import Ambassador, Person
from storage.profiles import Profile

ALL_FIELDS = "name,location,expertise,help_with,contact,home_group"
SINCE = datetime(2026, 1, 5, tzinfo=UTC)
UNTIL = datetime(2099, 1, 5, tzinfo=UTC)


@dataclass(frozen=True)
class Seeded:
    name: str
    status: str
    listed: bool
    fields: str
    city: str
    country: str
    expertise: str
    help_with: str
    contact: str


PEOPLE = (
    Seeded(
        "Ana Álvarez",
        "active",
        True,
        ALL_FIELDS,
        "Lisbon",
        "Portugal",
        "Kubernetes, community events",
        "first talks, meetup hosting",
        "@ana on the forum",
    ),
    Seeded(
        "Bo Chen",
        "active",
        True,
        "name,location,expertise",
        "Taipei",
        "Taiwan",
        "Rust, embedded Linux",
        "code reviews",
        "bo@example.org",
    ),
    Seeded(
        "Chidi Okafor",
        "active",
        True,
        "name,expertise,help_with",
        "Lagos",
        "Nigeria",
        "Python, data pipelines",
        "mentoring newcomers",
        "",
    ),
    Seeded(
        "Dana Hidden",
        "active",
        False,
        ALL_FIELDS,
        "Berlin",
        "Germany",
        "Kubernetes",
        "anything",
        "dana@example.org",
    ),
    Seeded(
        "Eve Alumna",
        "alumni",
        True,
        ALL_FIELDS,
        "Paris",
        "France",
        "Kubernetes",
        "docs",
        "eve@example.org",
    ),
)
UNLISTED = ("Dana Hidden", "Eve Alumna")
GROUPS = (
    ("Community Lisbon", "Lisbon", "Portugal", 38.72, -9.14, UserGroupStatus.OFFICIAL),
    ("Community Taipei", "Taipei", "Taiwan", 25.03, 121.56, UserGroupStatus.APPROVED),
    ("Community Lagos", "Lagos", "Nigeria", 6.52, 3.38, UserGroupStatus.APPROVED),
)
MEETUP = {
    "key": "meetup",
    "title": "Monthly ambassador meetup",
    "rrule": "FREQ=MONTHLY;BYDAY=1TH",
    "start": "2026-01-01T17:00",
    "timezone": "Europe/London",
    "duration_minutes": 60,
    "link": "https://meet.example.org/ambassadors",
    "host": MOD,
    "reminders": [],
}
OFFICE = {
    "key": "office-hours",
    "title": "Advocates' office hours",
    "kind": "office_hours",
    "rrule": "FREQ=WEEKLY;BYDAY=TU",
    "start": "2026-01-06T15:00",
    "timezone": "America/Los_Angeles",
    "duration_minutes": 60,
    "host": MOD,
    "reminders": [],
}


async def seed(stack: Stack) -> None:
    async with stack.runtime.uow() as uow:
        session = uow.session
        home: dict[str, UserGroup] = {}
        for n, (title, city, country, lat, lon, status) in enumerate(GROUPS, start=1):
            group = UserGroup(
                title=title,
                requested_name=title,
                city=city,
                country=country,
                latitude=lat,
                longitude=lon,
                requester_slack_id=f"U0SEED{n}",
                mentor_slack_id="U0SEED1",
                status=status,
            )
            session.add(group)
            home[city] = group
        await session.flush()
        for i, p in enumerate(PEOPLE, start=1):
            person = Person(slack_user_id=f"U0SEED{i}", display_name=p.name, created_at=SINCE)
            session.add(person)
            await session.flush()
            status = AmbassadorStatus.ACTIVE if p.status == "active" else AmbassadorStatus.ALUMNI
            session.add(
                Ambassador(
                    person_id=person.id,
                    status=status,
                    term_start=SINCE,
                    term_end=UNTIL,
                    created_at=SINCE,
                    updated_at=SINCE,
                )
            )
            session.add(
                Profile(
                    person_id=person.id,
                    city=p.city,
                    country=p.country,
                    expertise=p.expertise,
                    help_with=p.help_with,
                    contact=p.contact,
                    public_listed=p.listed,
                    public_fields=p.fields,
                    home_group_id=home[p.city].id if p.city in home else None,
                    updated_at=SINCE,
                )
            )
    events = stack.runtime.services.events
    meetup = next(o for o in await events.upcoming(limit=50) if o.series_key == "meetup")
    await events.change_occurrence(MOD, "meetup", f"{meetup.start:%Y-%m-%d}", "cancelled", "Venue closed")


@dataclass
class Site:
    """The seeded bot, served on loopback; `url` is its base address."""

    url: str = ""


@contextlib.contextmanager
def running_site(tmp: Path, timeout: float = 60.0) -> Iterator[Site]:
    site = Site()
    ready = threading.Event()
    failed: list[BaseException] = []
    loop_box: list[asyncio.AbstractEventLoop] = []
    stop_box: list[asyncio.Event] = []

    async def main() -> None:
        stop = asyncio.Event()
        loop_box.append(asyncio.get_running_loop())
        stop_box.append(stop)
        overrides = {
            "events": [MEETUP, OFFICE],
            "program": {"name": "Community Ambassadors", "guidelines_url": "https://example.org/guide"},
            "web": {"apply_url": "https://example.slack.com/archives/C0APPLY", "timezone": "Europe/London"},
        }
        async with start_stack(f"sqlite+aiosqlite:///{tmp}/browser.db", **overrides) as stack:
            await seed(stack)
            site.url = stack.bot_url
            ready.set()
            await stop.wait()

    def run() -> None:
        try:
            asyncio.run(main())
        except BaseException as err:  # handed to the test thread
            failed.append(err)
            ready.set()

    thread = threading.Thread(target=run, name="browser-site", daemon=True)
    thread.start()
    if not ready.wait(timeout) or failed:
        raise RuntimeError("the bot did not start for the browser tests") from (failed[0] if failed else None)
    try:
        yield site
    finally:
        loop_box[0].call_soon_threadsafe(stop_box[0].set)
        thread.join(timeout)
        if failed:
            raise failed[0]
