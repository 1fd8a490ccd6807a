"""Writing one planned line, inside the import's single unit of work: the records an approval makes
(the person with their vouched forum account, the ambassador's term, the onboarding checklist, the
badge and group through the outbox) minus the application and the welcome DM, plus the directory
profile the line gives, and one audit entry by the importing operator.

Renewal reminders need no rows: the reminder sweep finds them from each term's end
(bot/program/terms/reminders.py), so an imported term is reminded like an approved one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.config import Settings
from bot.program import audit, outbox
from bot.program.badges.records import grant_by_bot, record_forum_grant
from bot.program.directory.profiles import profile_values, split_location
from bot.program.directory.search import search_text
from bot.program.roster.plan import Outcome, Planned
from storage.enums import AmbassadorStatus, MembershipStatus, Platform
from storage.models import Ambassador, Person
from storage.profiles import Profile
from storage.roster import RosterRepo
from storage.uow import UnitOfWork


@dataclass(frozen=True)
class ForumView:
    """What the forum holds, read before the unit of work: the ambassador badge's holders
    (lower-cased username → user_badge id) and the ambassadors group's members (lower-cased)."""

    holders: dict[str, int] = field(default_factory=dict)
    members: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Writing:
    """How the lines are written: by whom, when, under which run, and what follows a new term."""

    settings: Settings
    operator: str
    now: datetime
    run: str
    onboarding_done: bool
    forum: ForumView | None  # None: leave the forum alone (--no-grant, or no forum configured)


async def _person(repo: RosterRepo, p: Planned, w: Writing) -> Person:
    person = p.person
    if person is None:  # inserted with their ambassador row (one flush for both)
        person = repo.stage(Person(slack_user_id=p.slack_id, display_name=p.line.name))
    if p.slack_id and person.slack_user_id is None:
        person.slack_user_id = p.slack_id
    person.display_name = p.line.name
    person.forum_username = p.line.forum_username
    # The importing operator vouches for the forum account, as an approving moderator does.
    person.forum_linked_at = person.forum_linked_at or w.now
    if p.line.timezone:
        person.timezone = p.line.timezone
    return person


async def _term(uow: UnitOfWork, person: Person, p: Planned) -> Ambassador:
    line = p.line
    amb = p.ambassador
    if amb is None:
        return await uow.ambassadors.add(
            Ambassador(person=person, status=line.status, term_start=line.term_start, term_end=line.term_end)
        )
    amb.status, amb.term_start, amb.term_end = line.status, line.term_start, line.term_end
    return amb


async def _profile(repo: RosterRepo, person: Person, p: Planned, now: datetime) -> None:
    line = p.line
    given = {k: getattr(line, k) for k in ("expertise", "timezone", "bio") if getattr(line, k) is not None}
    if line.location is not None:
        given["city"], given["country"] = split_location(line.location)
    if not given:
        return
    profile = p.profile
    if profile is None:
        profile = repo.stage(Profile(person_id=person.id, updated_at=now))  # flushed with the checklist
    for key, value in given.items():
        setattr(profile, key, value)
    profile.search_text = search_text(profile_values(profile))
    profile.updated_at = now


async def _checklist(uow: UnitOfWork, repo: RosterRepo, amb: Ambassador, p: Planned, w: Writing) -> list[str]:
    """The configured checklist, as an approval makes it; ticked by the operator unless left open.
    A new ambassador's is written at once (one flush, not two queries a step: 500 lines)."""
    steps = w.settings.program.onboarding
    if p.ambassador is None:
        ticked = (w.now, w.operator) if w.onboarding_done else None
        await repo.add_checklist(amb.id, [(s.key, s.title, s.completes) for s in steps], ticked)
        return [s.key for s in steps] if ticked else []
    for pos, step in enumerate(steps):
        await uow.onboarding.ensure(amb.id, step.key, step.title, step.completes, pos)
    if not w.onboarding_done:
        return []
    done: list[str] = []
    for row in await uow.onboarding.steps(amb.id):
        if row.completed_at is None and await uow.onboarding.complete(amb.id, row.key, w.operator, w.now):
            done.append(row.key)
    return done


async def _forum(uow: UnitOfWork, person: Person, w: Writing) -> list[str]:
    """The ambassador badge and group the person lacks, queued through the outbox; what the forum
    already shows them holding is recorded as the forum's (as `sync discourse` does)."""
    if w.forum is None:
        return []
    d, name, queued = w.settings.discourse, str(person.forum_username), []
    if (
        d.ambassador_badge_id is not None
        and await uow.forum.open_grant(person.id, d.ambassador_badge_id) is None
    ):
        badge = w.settings.program.badge_name
        held = w.forum.holders.get(name.lower())
        if held is not None:
            await record_forum_grant(uow, person.id, d.ambassador_badge_id, badge, held, w.now)
        else:
            key = f"roster:{w.run}:badge:{person.id}"
            await grant_by_bot(uow, key, person.id, name, d.ambassador_badge_id, badge, w.now)
            queued.append("badge")
    row = await uow.forum.membership(d.ambassador_group, name) if d.ambassador_group else None
    if d.ambassador_group and (row is None or row.status != MembershipStatus.MEMBER):
        member = name.lower() in w.forum.members
        if not member:
            payload = {"username": name, "group": d.ambassador_group}
            await outbox.queue(
                uow, f"roster:{w.run}:group:{person.id}", outbox.DISCOURSE_ADD_TO_GROUP, payload, w.now
            )
            queued.append("group")
        source = "forum" if member else "bot"
        await uow.forum.set_membership(
            d.ambassador_group, name, person.id, MembershipStatus.MEMBER, source, w.now
        )
    return queued


async def write_line(uow: UnitOfWork, repo: RosterRepo, p: Planned, w: Writing) -> list[str]:
    """Write one created or updated line; the forum changes queued for it ("badge", "group")."""
    person = await _person(repo, p, w)
    amb = await _term(uow, person, p)
    await _profile(repo, person, p, w.now)
    steps = await _checklist(uow, repo, amb, p, w) if p.starts_term else []
    queued = await _forum(uow, person, w) if p.line.status == AmbassadorStatus.ACTIVE else []
    after: dict[str, object] = {k: new for k, (_old, new) in p.changes.items()}
    if steps:
        after["onboarding_done"] = steps
    if queued:
        after["forum_queued"] = queued
    before = {k: old for k, (old, _new) in p.changes.items() if old} or None
    action = "ambassador.imported" if p.outcome == Outcome.CREATED else "ambassador.import_updated"
    await audit.log(
        uow,
        w.now,
        w.operator,
        action,
        ("person", person.id),
        before=before,
        after=after,
        platform=Platform.CLI,
    )
    return queued
