"""The App Home tab: a snapshot (`Home`, bot.program.home.messages) of what a person (and, for
moderators, the review queue) looks like right now. Services call `queue_refresh` in the
transaction that changes something about a person, so the tab is republished (outbox kind
SLACK_HOME) once that change has committed."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from uuid import uuid4

from bot.config import Settings
from bot.program import outbox
from bot.program.events import home as events_home
from bot.program.home.messages import (
    Home,
    HomeStep,
    OwnApplication,
    PendingApplication,
    PendingNomination,
    RequestItem,
    RequestQueue,
    ReviewQueue,
)
from bot.program.permissions import Permission, ServiceDeps, allows_by_role
from bot.program.requests import home as requests_home
from bot.program.roles import Roles
from storage.enums import AmbassadorStatus, ApplicationStatus
from storage.models import Person
from storage.uow import UnitOfWork

QUEUE_SHOWN = 10  # review items listed in a moderator's Home tab (the counts cover all)


async def _with_person(uow: UnitOfWork, home: Home, person: Person) -> Home:
    """What the tab shows of a known person: term, latest application, forum link, checklist."""
    amb = await uow.lifecycle.ambassador(person.id)
    app = await uow.lifecycle.latest_application(person.id)
    home = replace(
        home,
        known=amb is not None or app is not None,
        forum_username=person.forum_username,
        forum_linked=person.forum_linked_at is not None,
        profile_saved=await uow.profiles.for_person(person.id) is not None,
        application=(
            OwnApplication(app.id, ApplicationStatus(app.status), app.submitted_at, app.decided_at)
            if app is not None
            else None
        ),
    )
    if amb is None:
        return home
    steps = (
        tuple(
            HomeStep(s.key, s.title, s.completed_at is not None, s.completes)
            for s in await uow.lifecycle.steps(amb.id)
        )
        if amb.status == AmbassadorStatus.ACTIVE
        else ()
    )
    status = AmbassadorStatus(amb.status)
    return replace(
        home, ambassador_status=status, term_start=amb.term_start, term_end=amb.term_end, steps=steps
    )


async def _review_queue(uow: UnitOfWork) -> ReviewQueue:
    apps, apps_total = await uow.lifecycle.pending_applications(QUEUE_SHOWN)
    noms, noms_total = await uow.nominations.pending(QUEUE_SHOWN)
    return ReviewQueue(
        applications=tuple(
            PendingApplication(
                a.id, a.person.slack_user_id, a.name, a.location, a.expertise[:300], a.submitted_at
            )
            for a in apps
        ),
        applications_total=apps_total,
        nominations=tuple(
            PendingNomination(
                n.id,
                n.nominee_slack_id,
                n.nominator_slack_id,
                n.reason[:300],
                n.created_at,
                n.nominee_forum_username or "",
            )
            for n in noms
        ),
        nominations_total=noms_total,
    )


async def _with_requests(uow: UnitOfWork, home: Home) -> Home:
    data = await requests_home.snapshot(uow, home.user, home.is_moderator)
    queue = data.get("request_queue")
    return replace(
        home,
        requests=tuple(RequestItem(**r) for r in data["requests"]),
        request_queue=(
            RequestQueue(tuple(RequestItem(**r) for r in queue["items"]), queue["total"]) if queue else None
        ),
    )


async def snapshot(
    uow: UnitOfWork, settings: Settings, roles: Roles, slack_user_id: str, now: datetime | None = None
) -> Home:
    """The person's Home tab as it is `now` (drawn by handlers.slack.home.views); the upcoming
    events are there when `now` is given."""
    is_moderator = await allows_by_role(roles, slack_user_id, Permission.MODERATE)
    home = Home(
        user=slack_user_id,
        program=settings.program.name,
        command=settings.slack.command,
        guidelines_url=settings.program.guidelines_url,
        is_moderator=is_moderator,
    )
    person = await uow.people.by_slack_id(slack_user_id)
    if person is not None:
        home = await _with_person(uow, home, person)
    if is_moderator:
        home = replace(home, queue=await _review_queue(uow))
    if now is not None:
        home = replace(home, events=await events_home.upcoming_for(uow, now, slack_user_id))
    return await _with_requests(uow, home)


async def queue_refresh(
    uow: UnitOfWork, settings: Settings, roles: Roles, slack_user_id: str | None, now: datetime
) -> None:
    """Republish the person's Home tab after this transaction commits."""
    if not slack_user_id:
        return
    home = await snapshot(uow, settings, roles, slack_user_id, now)
    key = f"home:{slack_user_id}:{uuid4().hex}"
    await outbox.queue(uow, key, outbox.SLACK_HOME, outbox.message_payload(home, user=slack_user_id), now)


class HomeService:
    def __init__(self, deps: ServiceDeps) -> None:
        self._uow = deps.uow
        self._settings = deps.settings
        self._roles = deps.roles
        self._clock = deps.clock

    async def snapshot(self, slack_user_id: str) -> Home:
        async with self._uow() as uow:
            return await snapshot(uow, self._settings, self._roles, slack_user_id, self._clock.now())
