"""The permission guard on its own, on the real (migrated) database and without HTTP: for every
`Permission`, who is allowed and who is refused, the message a refused person sees, and that the
refusal is in the audit log even when the caller's unit of work rolls back; and the call order of a
guarded service (the guard first, in its own unit of work, before the service writes anything)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.program.errors import NotAllowed
from bot.program.linking.service import LinkingService
from bot.program.onboarding.service import OnboardingService
from bot.program.permissions import RULES, Guard, Permission, ServiceDeps, Subject, Who, allows_by_role
from bot.program.ports import SystemClock
from bot.program.roles import Roles
from bot.sandbox.harness.stack import test_settings as harness_settings
from storage import migrate
from storage.db import make_engine, make_sessionmaker
from storage.groups import GroupOrganiser, UserGroup
from storage.models import Ambassador, AuditEntry, OutboxMessage, Person
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


# -- the call order of a guarded service: the guard first, in its own unit of work -----------------

TARGET = "U0TARGET"


class Logged(UnitOfWork):
    """A unit of work that notes in `log` whose it was and how it ended."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], log: list[str], owner: str) -> None:
        super().__init__(sessionmaker)
        self._log, self._owner = log, owner

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._log.append(f"{self._owner}:{'commit' if exc_type is None else 'rollback'}")
        await super().__aexit__(exc_type, exc, tb)


class RefusesInTheCallersUnitOfWork(Guard):
    """A wrong guard, for the test to prove it notices: the refusal is written in a unit of work
    the NotAllowed rolls back (as if it were the caller's)."""

    async def refuse(
        self, actor: str, permission: Permission, subject: Subject, after: dict[str, Any] | None = None
    ) -> None:
        async with self._uow() as w:
            await w.audit.record(
                at=NOW, actor=actor, platform="slack", action=f"{permission.value}.refused",
                subject_type=RULES[permission].subject_type, subject_id=subject.id,
            )  # fmt: skip
            raise NotAllowed(RULES[permission].message)


@dataclass
class Wired:
    """A linking and an onboarding service whose units of work are logged apart from the guard's."""

    log: list[str]
    uow: UnitOfWorkFactory
    linking: LinkingService
    onboarding: OnboardingService


def wire(engine: AsyncEngine, db_url: str, guard_class: type[Guard] = Guard) -> Wired:
    sessionmaker = make_sessionmaker(engine)
    log: list[str] = []
    settings = harness_settings(db_url, "https://slack.test", "https://forum.test")
    roles, clock = Roles([MOD]), SystemClock()
    g = guard_class(lambda: Logged(sessionmaker, log, "guard"), roles, clock)

    def service_uow() -> UnitOfWork:
        return Logged(sessionmaker, log, "service")

    return Wired(
        log,
        UnitOfWorkFactory(sessionmaker),
        LinkingService(ServiceDeps(service_uow, settings, roles, clock, guard=g)),
        OnboardingService(ServiceDeps(service_uow, settings, roles, clock, guard=g)),
    )


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(db_url)
    await migrate.upgrade(engine)
    try:
        yield engine
    finally:
        await engine.dispose()


async def written(uow: UnitOfWorkFactory) -> tuple[list[tuple[str, str, str, str]], int, int]:
    """(the audit log, how many people, how many outbox rows)."""
    async with uow() as w:
        people = len((await w.session.execute(select(Person))).scalars().all())
        rows = len((await w.session.execute(select(OutboxMessage))).scalars().all())
    return await refusals(uow), people, rows


REFUSED_ACTIONS: dict[str, Callable[[Wired], Awaitable[object]]] = {
    "link.manual": lambda w: w.linking.link_by_moderator(EVE, TARGET, "bobby"),
    "onboarding.tick": lambda w: w.onboarding.complete_by_moderator(EVE, TARGET, "announced"),
    "onboarding.view": lambda w: w.onboarding.checklist(EVE, TARGET),
    "onboarding.stuck": lambda w: w.onboarding.stuck(EVE),
}


@pytest.mark.parametrize("action", list(REFUSED_ACTIONS))
async def test_a_refusal_is_recorded_by_the_guard_before_the_service_writes_anything(
    engine: AsyncEngine, db_url: str, action: str
) -> None:
    w = wire(engine, db_url)
    with pytest.raises(NotAllowed):
        await REFUSED_ACTIONS[action](w)
    # The guard's own unit of work committed the refusal; the service's was never opened.
    assert w.log == ["guard:commit"]
    audit, people, outbox_rows = await written(w.uow)
    assert [(a[0], a[1]) for a in audit] == [(EVE, f"{action}.refused")]
    assert (people, outbox_rows) == (0, 0)


async def test_an_allowed_action_leaves_the_guard_nothing_to_record(engine: AsyncEngine, db_url: str) -> None:
    w = wire(engine, db_url)
    linked = await w.linking.link_by_moderator(MOD, TARGET, "bobby")
    assert linked.forum_username == "bobby"
    assert w.log == ["service:commit"]  # the moderator rule needs no unit of work of the guard's
    audit, people, _ = await written(w.uow)
    assert [(a[0], a[1]) for a in audit] == [(MOD, "link.by_moderator")]
    assert people == 1


async def test_the_check_fails_for_a_refusal_written_in_a_unit_of_work_that_rolls_back(
    engine: AsyncEngine, db_url: str
) -> None:
    w = wire(engine, db_url, RefusesInTheCallersUnitOfWork)
    with pytest.raises(NotAllowed):
        await REFUSED_ACTIONS["link.manual"](w)
    assert w.log == ["guard:rollback"]  # what the first test above would catch ...
    assert (await written(w.uow))[0] == []  # ... and so would its look at the audit log
