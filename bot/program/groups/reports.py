"""Reading the user groups: `group status`, `groups [near|status]` and the CSV export."""

from __future__ import annotations

import csv
import dataclasses
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.program.errors import InvalidInput
from bot.program.groups.exporting import people_names
from bot.program.groups.screening import Place, fold, matches_place, one_line, parse_coordinates
from storage.enums import OutboxStatus, UserGroupStatus
from storage.groups import LIVE, MENTORED, OPEN, GroupOrganiser, UserGroup
from storage.uow import UnitOfWork

# The groups an ambassador may call their home group (chosen in the profile form, shown in `groups`).
HOME_GROUPS = MENTORED

SHOWN = 25  # groups listed by `/ambassador groups`
STATUSES = tuple(UserGroupStatus)
STATUS_WORDS: dict[str, str] = {
    UserGroupStatus.PENDING: "waiting for review",
    UserGroupStatus.NEEDS_CHANGES: "needs changes",
    UserGroupStatus.APPROVED: "approved, handover in progress",
    UserGroupStatus.OFFICIAL: "official",
    UserGroupStatus.REJECTED: "not accepted",
    UserGroupStatus.RETIRED: "retired",
}


@dataclass(frozen=True)
class StepView:
    key: str
    title: str
    completes: tuple[str, ...]
    needs: str
    done: bool
    completed_by: str | None = None
    completed_at: datetime | None = None
    value: str | None = None


@dataclass(frozen=True)
class GroupView:
    id: int
    title: str
    status: str
    place: str
    requester: str
    submitted_at: datetime
    decided_at: datetime | None = None
    reason: str | None = None
    change_request: str = ""
    mentor: str | None = None
    organisers: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    overlap: str = ""
    conflict: str = ""
    steps: tuple[StepView, ...] = ()
    distance_km: float | None = None
    ambassadors: tuple[str, ...] = ()  # Slack ids of the ambassadors whose home group it is


@dataclass(frozen=True)
class GroupList:
    heading: str
    groups: tuple[GroupView, ...]
    total: int


def place_of(g: UserGroup) -> Place:
    return Place(g.city, g.region, g.country, g.latitude, g.longitude)


def organiser_label(o: GroupOrganiser) -> str:
    if o.slack_user_id and o.forum_username:
        return f"<@{o.slack_user_id}> (forum: {o.forum_username})"
    if o.slack_user_id:
        return f"<@{o.slack_user_id}>"
    return f"forum: {o.forum_username}"


def recognition_key_prefix(group_id: int) -> str:
    return f"group:{group_id}:recognition:"


def _slack_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@dataclass(frozen=True)
class RecognitionReport:
    delivered: int
    total: int
    text: str


async def recognition_report(uow: UnitOfWork, group_id: int) -> RecognitionReport | None:
    """What became of the recognition messages of a group that went official: who got it, who did
    not and why; None while one is still on its way (or the group sent none)."""
    await uow.groups.lock(group_id)  # the last two deliveries to finish can't both miss the other
    rows = await uow.outbox.with_key_prefix(recognition_key_prefix(group_id))
    if not rows or any(r.status not in (OutboxStatus.DELIVERED, OutboxStatus.FAILED) for r in rows):
        return None
    g = await uow.groups.get(group_id)
    title = _slack_text(g.title) if g is not None else f"group #{group_id}"

    def leader(payload: dict[str, object]) -> str:
        if payload.get("user"):
            return f"<@{payload['user']}>"
        return f"{_slack_text(str(payload.get('target_recipients', '')))} (forum)"

    delivered = [leader(r.payload) for r in rows if r.status == OutboxStatus.DELIVERED]
    failed = [
        f"{leader(r.payload)}: {_slack_text(one_line(r.last_error or 'unknown error'))[:160]}"
        for r in rows
        if r.status == OutboxStatus.FAILED
    ]
    plural = "s" if len(rows) != 1 else ""
    if not failed:
        text = (
            f"🏅 The recognition message for *{title}* was delivered to all {len(rows)} leader{plural}: "
            f"{', '.join(delivered)}."
        )
        return RecognitionReport(len(delivered), len(rows), text)
    text = (
        f"⚠️ The recognition message for *{title}* was delivered to {len(delivered)} of "
        f"{len(rows)} leader{plural}"
    )
    text += f" ({', '.join(delivered)})." if delivered else "."
    text += f" Not delivered to {'; '.join(failed)}. Please reach them another way."
    return RecognitionReport(len(delivered), len(rows), text)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


async def group_views(
    uow: UnitOfWork, groups: Sequence[UserGroup], with_steps: bool = False
) -> list[GroupView]:
    organisers = await uow.groups.organisers_of(g.id for g in groups)
    home = await uow.profiles.ambassadors_of_groups([g.id for g in groups if g.status in HOME_GROUPS])
    titles = {g.id: g.title for g in groups}
    out: list[GroupView] = []
    for g in groups:
        steps: tuple[StepView, ...] = ()
        if with_steps and g.status in MENTORED:
            steps = tuple(
                StepView(
                    s.key,
                    s.title,
                    tuple(r for r in s.completes.split(",") if r),
                    s.needs,
                    s.completed_at is not None,
                    s.completed_by,
                    s.completed_at,
                    s.value,
                )
                for s in await uow.groups.steps(g.id)
            )
        overlap = ""
        if g.overlap_group_id is not None:
            other = titles.get(g.overlap_group_id)
            if other is None:
                found = await uow.groups.get(g.overlap_group_id)
                other = found.title if found else ""
            overlap = f"#{g.overlap_group_id} {other} ({g.overlap_reason})"
        out.append(
            GroupView(
                id=g.id,
                title=g.title,
                status=g.status,
                place=place_of(g).describe(),
                requester=g.requester_slack_id,
                submitted_at=g.submitted_at,
                decided_at=g.decided_at,
                reason=g.decision_reason,
                change_request=g.change_request,
                mentor=g.mentor_slack_id,
                organisers=tuple(organiser_label(o) for o in organisers.get(g.id, [])),
                flags=tuple(str(f.get("reason", "")) for f in g.flags or []),
                missing=tuple(g.missing or []),
                overlap=overlap,
                conflict=g.conflict,
                steps=steps,
                ambassadors=tuple(home.get(g.id, [])),
            )
        )
    return out


async def list_groups(uow: UnitOfWork, text: str, near_km: float) -> GroupList:
    """`groups`, `groups status <s>`, `groups near <place>`."""
    words = one_line(text).split(" ", 1)
    head = words[0].lower() if words[0] else ""
    rest = words[1] if len(words) > 1 else ""
    if head == "":
        groups = list(await uow.groups.with_status(MENTORED))
        views = await group_views(uow, groups)
        return GroupList("Approved and official user groups", tuple(views[:SHOWN]), len(views))
    if head == "status":
        wanted = fold(rest).replace(" ", "_").replace("-", "_")
        aliases = {"open": OPEN, "all": STATUSES, "waiting": (UserGroupStatus.PENDING,)}
        statuses = aliases.get(wanted) or ((wanted,) if wanted in STATUSES else None)
        if statuses is None:
            raise InvalidInput(
                f"Unknown status {rest[:30]!r}. Use one of: {', '.join(STATUSES)}, open or all."
            )
        groups = list(await uow.groups.with_status(statuses))
        views = await group_views(uow, groups)
        return GroupList(f"User groups: {rest.lower()}", tuple(views[:SHOWN]), len(views))
    if head == "near":
        if not rest:
            raise InvalidInput("Say where: `groups near Auckland` or `groups near -36.85, 174.76`.")
        return await near(uow, rest, near_km)
    raise InvalidInput("Use `groups`, `groups status <status>` or `groups near <place>`.")


async def near(uow: UnitOfWork, where: str, near_km: float) -> GroupList:
    groups = list(await uow.groups.with_status(LIVE))
    try:
        centre = parse_coordinates(where)
    except ValueError:
        centre = None
    if centre is None:
        named = [g for g in groups if matches_place(place_of(g), where) and g.latitude is not None]
        if named and named[0].latitude is not None and named[0].longitude is not None:
            centre = (named[0].latitude, named[0].longitude)
    here = Place(latitude=centre[0], longitude=centre[1]) if centre else Place()
    found: list[tuple[float, UserGroup]] = []
    for g in groups:
        distance = here.distance_km(place_of(g))
        if matches_place(place_of(g), where) or (distance is not None and distance <= near_km):
            found.append((distance if distance is not None else 0.0, g))
    found.sort(key=lambda pair: (pair[0], fold(pair[1].title)))
    shown = [
        dataclasses.replace(v, distance_km=d if centre else None)
        for v, (d, _g) in zip(await group_views(uow, [g for _, g in found]), found, strict=True)
    ]
    return GroupList(f"User groups near {one_line(where)[:60]}", tuple(shown[:SHOWN]), len(shown))


async def export_csv(uow: UnitOfWork) -> str:
    """Every group with status, mentor and organisers (spreadsheet-ready CSV)."""
    groups = list(await uow.groups.all())
    organisers = await uow.groups.organisers_of(g.id for g in groups)
    counts = await uow.groups.step_counts(g.id for g in groups)
    names = await people_names(uow, groups, organisers)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(
        [
            "id",
            "title",
            "requested_name",
            "status",
            "city",
            "region",
            "country",
            "latitude",
            "longitude",
            "website",
            "mentor_slack_id",
            "mentor_name",
            "organisers",
            "requester_slack_id",
            "submitted_at",
            "decided_at",
            "official_at",
            "handover_done",
        ]
    )

    def who(o: GroupOrganiser) -> str:
        parts = []
        if o.slack_user_id:
            name = names.get(o.slack_user_id, "")
            parts.append(f"slack:{o.slack_user_id}" + (f" ({name})" if name else ""))
        if o.forum_username:
            parts.append(f"forum:{o.forum_username}")
        return " ".join(parts)

    for g in groups:
        done, total = counts.get(g.id, (0, 0))
        writer.writerow(
            [
                g.id,
                _csv_safe(g.title),
                _csv_safe(g.requested_name),
                g.status,
                _csv_safe(g.city),
                _csv_safe(g.region),
                _csv_safe(g.country),
                "" if g.latitude is None else g.latitude,
                "" if g.longitude is None else g.longitude,
                _csv_safe(g.website),
                g.mentor_slack_id or "",
                _csv_safe(names.get(g.mentor_slack_id or "", "")),
                _csv_safe("; ".join(who(o) for o in organisers.get(g.id, []))),
                g.requester_slack_id,
                _iso(g.submitted_at) or "",
                _iso(g.decided_at) or "",
                _iso(g.official_at) or "",
                f"{done}/{total}" if total else "",
            ]
        )
    return buf.getvalue()


def _csv_safe(text: str) -> str:
    """A cell a spreadsheet won't run as a formula (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
