"""The App Home tab: a snapshot of what a person (and, for moderators, the review queue) looks like
right now. Services call `queue_refresh` in the transaction that changes something about a person,
so the tab is republished (outbox kind SLACK_HOME) once that change has committed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import uuid4

from bot.config import Settings
from bot.program import outbox
from bot.program.permissions import Permission, allows_by_role
from bot.program.requests import home as requests_home
from bot.program.roles import Roles
from storage.enums import AmbassadorStatus
from storage.uow import UnitOfWork

QUEUE_SHOWN = 10  # review items listed in a moderator's Home tab (the counts cover all)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


async def snapshot(uow: UnitOfWork, settings: Settings, roles: Roles, slack_user_id: str) -> dict[str, Any]:
    """JSON-ready data for the "home" view template (handlers.slack.home.views)."""
    data: dict[str, Any] = {
        "user": slack_user_id,
        "program": settings.program.name,
        "command": settings.slack.command,
        "guidelines_url": settings.program.guidelines_url,
        "known": False,
        "ambassador_status": None,
        "term_start": None,
        "term_end": None,
        "application": None,
        "forum_username": None,
        "forum_linked": False,
        "profile_saved": False,
        "steps": [],
        "is_moderator": await allows_by_role(roles, slack_user_id, Permission.MODERATE),
    }
    person = await uow.people.by_slack_id(slack_user_id)
    if person is not None:
        amb = await uow.lifecycle.ambassador(person.id)
        app = await uow.lifecycle.latest_application(person.id)
        profile = await uow.profiles.for_person(person.id)
        data.update(
            known=amb is not None or app is not None,
            forum_username=person.forum_username,
            forum_linked=person.forum_linked_at is not None,
            profile_saved=profile is not None,
        )
        if app is not None:
            data["application"] = {
                "id": app.id,
                "status": app.status,
                "submitted_at": _iso(app.submitted_at),
                "decided_at": _iso(app.decided_at),
            }
        if amb is not None:
            data.update(
                ambassador_status=amb.status, term_start=_iso(amb.term_start), term_end=_iso(amb.term_end)
            )
            if amb.status == AmbassadorStatus.ACTIVE:
                data["steps"] = [
                    {
                        "key": s.key,
                        "title": s.title,
                        "done": s.completed_at is not None,
                        "completes": s.completes,
                    }
                    for s in await uow.lifecycle.steps(amb.id)
                ]
    if data["is_moderator"]:
        apps, apps_total = await uow.lifecycle.pending_applications(QUEUE_SHOWN)
        noms, noms_total = await uow.nominations.pending(QUEUE_SHOWN)
        data["queue"] = {
            "applications": [
                {
                    "id": a.id,
                    "applicant": a.person.slack_user_id,
                    "name": a.name,
                    "location": a.location,
                    "expertise": a.expertise[:300],
                    "submitted_at": _iso(a.submitted_at),
                }
                for a in apps
            ],
            "applications_total": apps_total,
            "nominations": [
                {
                    "id": n.id,
                    "nominee": n.nominee_slack_id,
                    "nominator": n.nominator_slack_id,
                    "reason": n.reason[:300],
                    "created_at": _iso(n.created_at),
                }
                for n in noms
            ],
            "nominations_total": noms_total,
        }
    data.update(await requests_home.snapshot(uow, slack_user_id, bool(data["is_moderator"])))
    return data


async def queue_refresh(
    uow: UnitOfWork, settings: Settings, roles: Roles, slack_user_id: str | None, now: datetime
) -> None:
    """Republish the person's Home tab after this transaction commits."""
    if not slack_user_id:
        return
    await outbox.queue(
        uow,
        f"home:{slack_user_id}:{uuid4().hex}",
        outbox.SLACK_HOME,
        {
            "user": slack_user_id,
            "template": "home",
            "data": await snapshot(uow, settings, roles, slack_user_id),
        },
        now,
    )


class HomeService:
    def __init__(self, uow: Callable[[], UnitOfWork], settings: Settings, roles: Roles) -> None:
        self._uow = uow
        self._settings = settings
        self._roles = roles

    async def snapshot(self, slack_user_id: str) -> dict[str, Any]:
        async with self._uow() as uow:
            return await snapshot(uow, self._settings, self._roles, slack_user_id)
