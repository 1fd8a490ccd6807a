"""The permission guard on its own, on the real (migrated) database and without HTTP: for every
`Permission`, who is allowed and who is refused, the message a refused person sees, and that the
refusal is in the audit log even when the caller's unit of work rolls back."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.program.errors import NotAllowed
from bot.program.permissions import RULES, Guard, Permission, Subject, Who, allows_by_role
from bot.program.ports import SystemClock
from bot.program.roles import Roles
from storage import migrate
from storage.db import make_engine, make_sessionmaker
from storage.groups import GroupOrganiser, UserGroup
from storage.models import Ambassador, AuditEntry, Person
from storage.uow import UnitOfWork, UnitOfWorkFactory

MOD, AMB, ORG, MENTOR, CM, EVE = "U0MOD", "U0AMB", "U0ORG", "U0MENTOR", "U0CM", "U0EVE"
NOW = datetime(2026, 3, 1, tzinfo=UTC)


@pytest.fixture
async def uow(db_url: str) -> AsyncIterator[UnitOfWorkFactory]:
    engine = make_engine(db_url)
    await migrate.upgrade(engine)
    try:
        yield UnitOfWorkFactory(make_sessionmaker(engine))
    finally:
        await engine.dispose()


@pytest.fixture
async def group_id(uow: UnitOfWorkFactory) -> int:
    """An active ambassador AMB, and a group mentored by MENTOR with organiser ORG."""
    async with uow() as w:
        person = Person(slack_user_id=AMB, display_name="Amb")
        w.session.add(person)
        await w.session.flush()
        w.session.add(Ambassador(person_id=person.id, term_start=NOW, term_end=NOW + timedelta(days=365)))
        group = await w.groups.add(
            UserGroup(title="Python Lisbon", requested_name="Python Lisbon", requester_slack_id=ORG)
        )
        group.mentor_slack_id = MENTOR
        await w.groups.add_organiser(GroupOrganiser(group_id=group.id, slack_user_id=ORG, added_by=MOD))
        return group.id


def guard(uow: UnitOfWorkFactory, managers: tuple[str, ...] = ()) -> Guard:
    return Guard(uow, Roles([MOD]), SystemClock(), managers)


async def refusals(uow: UnitOfWorkFactory) -> list[tuple[str, str, str, str]]:
    async with uow() as w:
        rows = (await w.session.execute(select(AuditEntry).order_by(AuditEntry.id))).scalars().all()
        return [(r.actor, r.action, r.subject_type, r.subject_id) for r in rows]


def subject_for(permission: Permission, group_id: int) -> Subject:
    if permission is Permission.GROUP_ORGANISER_ADD:
        return Subject(group_id, message="organisers only", group_id=group_id)
    if permission is Permission.GROUP_HANDOVER_STEP:
        return Subject(
            group_id,
            action="group.step.forum",
            message="mentors only",
            group_id=group_id,
            roles=frozenset({"mentor"}),
        )
    return Subject("s-1")


# Who may, and one person who may not, for every permission.
ALLOWED: dict[Who, tuple[tuple[str, ...], str]] = {
    Who.MODERATOR: ((MOD,), AMB),
    Who.REVIEWER: ((MOD, AMB), EVE),
    Who.ORGANISER_OR_MODERATOR: ((MOD, ORG), AMB),
    Who.HANDOVER_ROLES: ((MENTOR,), ORG),
}


@pytest.mark.parametrize("permission", list(Permission))
async def test_every_permission_allows_its_roles_and_refuses_others(
    uow: UnitOfWorkFactory, group_id: int, permission: Permission
) -> None:
    g = guard(uow)
    subject = subject_for(permission, group_id)
    rule = RULES[permission]
    allowed, refused = ALLOWED[rule.who]
    for actor in allowed:
        assert await g.allows(actor, permission, subject)
        await g.require(actor, permission, subject)
    assert not await g.allows(refused, permission, subject)
    assert await refusals(uow) == []  # allowing, and asking, records nothing
    with pytest.raises(NotAllowed) as err:
        await g.require(refused, permission, subject)
    assert err.value.message == (subject.message or rule.message)
    action = subject.action or permission.value
    assert await refusals(uow) == [(refused, f"{action}.refused", rule.subject_type, str(subject.id))]


async def test_the_refusal_stays_recorded_when_the_callers_unit_of_work_rolls_back(
    uow: UnitOfWorkFactory, group_id: int
) -> None:
    g = guard(uow)
    w: UnitOfWork
    with pytest.raises(NotAllowed):
        async with uow() as w:
            await w.people.by_slack_id(EVE)  # the caller has begun its own transaction
            await g.require(EVE, Permission.GROUP_APPROVE, Subject(group_id))
    assert await refusals(uow) == [(EVE, "group.approve.refused", "user_group", str(group_id))]


@pytest.mark.parametrize(
    ("permission", "message"),
    [
        (Permission.AUDIT_READ, "Only moderators can read the audit log."),
        (Permission.APPLICATION_APPROVE, "Only moderators can review applications."),
        (Permission.BADGE_REVOKE, "Only moderators can grant or revoke badges."),
        (Permission.EVENT_MANAGE, "Only moderators can change events."),
        (Permission.EXPORT, "Only moderators can export program data."),
        (Permission.REPORT, "Only moderators can see the program report."),
        (Permission.NOMINATION_DECLINE, "Only moderators can review nominations."),
        (Permission.REQUEST_QUEUE, "Only moderators can see the request queue."),
        (Permission.REQUEST_CLOSE, "Only moderators can decide on requests."),
        (Permission.GROUP_OBJECT, "Only ambassadors and moderators can review user group requests."),
    ],
)
async def test_the_messages_are_the_ones_people_see_today(
    uow: UnitOfWorkFactory, permission: Permission, message: str
) -> None:
    with pytest.raises(NotAllowed) as err:
        await guard(uow).require(EVE, permission, Subject(1))
    assert err.value.message == message


async def test_refuse_records_why_for_rules_of_the_action_itself(uow: UnitOfWorkFactory) -> None:
    with pytest.raises(NotAllowed, match="your own request"):
        await guard(uow).refuse(
            MOD, Permission.REQUEST_APPROVE, Subject(7, message="your own request"), after={"why": "own"}
        )
    async with uow() as w:
        [entry] = (await w.session.execute(select(AuditEntry))).scalars().all()
    assert (entry.action, entry.after) == ("request.approve.refused", {"why": "own"})


async def test_roles_in_group(uow: UnitOfWorkFactory, group_id: int) -> None:
    g = guard(uow)
    assert await g.roles_in_group(MOD, group_id) == {"moderator", "community_manager"}
    assert await g.roles_in_group(AMB, group_id) == {"ambassador"}
    assert await g.roles_in_group(MENTOR, group_id) == {"mentor", "ambassador"}
    assert await g.roles_in_group(ORG, group_id) == {"organiser"}
    assert await g.roles_in_group(EVE, group_id) == set()
    # Configured community managers replace "every moderator".
    managed = guard(uow, (CM,))
    assert await managed.roles_in_group(MOD, group_id) == {"moderator"}
    assert await managed.roles_in_group(CM, group_id) == {"community_manager"}


async def test_allows_by_role_is_for_moderator_rules_only() -> None:
    roles = Roles([MOD])
    assert await allows_by_role(roles, MOD, Permission.MODERATE)
    assert not await allows_by_role(roles, EVE, Permission.MODERATE)
    with pytest.raises(ValueError):
        await allows_by_role(roles, MOD, Permission.GROUP_APPROVE)
