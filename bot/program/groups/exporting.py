"""The user groups as JSON (`ambassador-bot export groups --format json`).

The same rows and columns as the CSV export (bot.program.groups.reports.export_csv), typed for a
program rather than a spreadsheet: ids and coordinates are numbers, a missing value is null,
datetimes are ISO 8601 in UTC with the zone, the organisers are a list of objects, and the handover
progress is two numbers. No cell gets the spreadsheet-formula apostrophe: JSON readers run nothing.
"""

from __future__ import annotations

from typing import Any

from bot.program.reports.exports import plain, to_json
from storage.groups import GroupOrganiser, UserGroup
from storage.uow import UnitOfWork


async def export_json(uow: UnitOfWork) -> str:
    """Every user group, oldest first, as a JSON list of objects (one per group)."""
    groups = list(await uow.groups.all())
    organisers = await uow.groups.organisers_of(g.id for g in groups)
    counts = await uow.groups.step_counts(g.id for g in groups)
    names = await people_names(uow, groups, organisers)
    rows = [_row(g, organisers.get(g.id, []), counts.get(g.id, (0, 0)), names) for g in groups]
    return to_json(rows).decode("utf-8")


async def people_names(
    uow: UnitOfWork, groups: list[UserGroup], organisers: dict[int, list[GroupOrganiser]]
) -> dict[str, str]:
    """Display names of the mentors and organisers, by Slack user id ("" when unknown); the CSV
    export uses it too."""
    names: dict[str, str] = {}
    for g in groups:
        for uid in [g.mentor_slack_id, *(o.slack_user_id for o in organisers.get(g.id, []))]:
            if uid and uid not in names:
                person = await uow.people.by_slack_id(uid)
                names[uid] = person.display_name if person else ""
    return names


def _row(
    g: UserGroup, organisers: list[GroupOrganiser], steps: tuple[int, int], names: dict[str, str]
) -> dict[str, Any]:
    done, total = steps
    return {
        "id": g.id,
        "title": g.title,
        "requested_name": g.requested_name,
        "status": str(g.status),
        "city": g.city,
        "region": g.region,
        "country": g.country,
        "latitude": g.latitude,
        "longitude": g.longitude,
        "website": g.website,
        "mentor_slack_id": g.mentor_slack_id,
        "mentor_name": names.get(g.mentor_slack_id or "") or None,
        "organisers": [
            {
                "slack_user_id": o.slack_user_id,
                "name": names.get(o.slack_user_id or "") or None,
                "forum_username": o.forum_username,
            }
            for o in organisers
        ],
        "requester_slack_id": g.requester_slack_id,
        "submitted_at": plain(g.submitted_at),
        "decided_at": plain(g.decided_at),
        "official_at": plain(g.official_at),
        "handover_done": done if total else None,
        "handover_steps": total if total else None,
    }
