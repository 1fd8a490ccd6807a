"""The review transitions of a user group request, table-driven, on the real (migrated) database
and without HTTP: the service is built with fake ports (a recording outbox signal, a renderer that
must not be needed), and each row is an action, who takes it, and where the request ends up."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.config import settings_from_mapping
from bot.program.errors import Conflict, NotAllowed, ProgramError
from bot.program.groups import GroupService
from bot.program.groups.rendering import TemplateFailed
from bot.program.permissions import ServiceDeps
from bot.program.roles import Roles
from storage import migrate
from storage.db import make_engine, make_sessionmaker
from storage.groups import UserGroup
from storage.models import Ambassador, AuditEntry, Person
from storage.uow import UnitOfWorkFactory
from tests.e2e.test_user_groups import AUCKLAND

MOD, AMB, BOB, EVE = "U0MOD", "U0AMB", "U0BOB", "U0EVE"
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class FixedClock:
    def now(self) -> datetime:
        return NOW


class Kicks:
    def __init__(self) -> None:
        self.count = 0

    def kick(self) -> None:
        self.count += 1


class NoTemplates:
    def render(self, template: str, values: Mapping[str, str]) -> str:
        raise TemplateFailed("not needed by the review transitions")


@pytest.fixture
async def uow(db_url: str) -> AsyncIterator[UnitOfWorkFactory]:
    engine = make_engine(db_url)
    await migrate.upgrade(engine)
    try:
        factory = UnitOfWorkFactory(make_sessionmaker(engine))
        async with factory() as w:
            person = Person(slack_user_id=AMB, display_name="Amb")
            w.session.add(person)
            await w.session.flush()
            w.session.add(Ambassador(person_id=person.id, term_start=NOW, term_end=NOW + timedelta(days=365)))
        yield factory
    finally:
        await engine.dispose()


def service(uow: UnitOfWorkFactory, kicks: Kicks) -> GroupService:
    settings = settings_from_mapping({"slack": {"moderator_channel": "C0MODS"}}, env={})
    return GroupService(ServiceDeps(uow, settings, Roles([MOD]), FixedClock(), kicks), renderer=NoTemplates())


Action = Callable[[GroupService, str, int], Awaitable[Any]]
ACTIONS: dict[str, Action] = {
    "reject": lambda s, who, gid: s.reject(who, gid, "Not a user group."),
    "request_changes": lambda s, who, gid: s.request_changes(who, gid, "Please add a city."),
    "object": lambda s, who, gid: s.object(who, gid),
}

# (action, actor, status afterwards, audit action recorded)
ALLOWED = [
    ("reject", MOD, "rejected", "group.rejected"),
    ("reject", AMB, "rejected", "group.rejected"),
    ("request_changes", MOD, "needs_changes", "group.changes_requested"),
    ("request_changes", AMB, "needs_changes", "group.changes_requested"),
    ("object", AMB, "pending", "group.objected"),
]
# (action, actor, error, audit action recorded or None)
REFUSED: list[tuple[str, str, type[ProgramError], str | None]] = [
    ("reject", EVE, NotAllowed, "group.reject.refused"),
    ("request_changes", EVE, NotAllowed, "group.request_changes.refused"),
    ("object", EVE, NotAllowed, "group.object.refused"),
]


async def submitted(svc: GroupService) -> int:
    return (await svc.submit(BOB, AUCKLAND)).group_id


async def state(uow: UnitOfWorkFactory, group_id: int) -> tuple[str, list[str]]:
    async with uow() as w:
        group = await w.groups.get(group_id)
        assert group is not None
        actions = (await w.session.execute(select(AuditEntry.action).order_by(AuditEntry.id))).scalars()
        return group.status, list(actions)


@pytest.mark.parametrize(("action", "actor", "status", "audited"), ALLOWED)
async def test_reviewers_move_a_pending_request(
    uow: UnitOfWorkFactory, action: str, actor: str, status: str, audited: str
) -> None:
    kicks = Kicks()
    svc = service(uow, kicks)
    gid = await submitted(svc)
    before = kicks.count
    await ACTIONS[action](svc, actor, gid)
    got_status, actions = await state(uow, gid)
    assert got_status == status
    assert actions[-1] == audited
    assert kicks.count == before + 1  # the outbox worker is woken once the change is committed


@pytest.mark.parametrize(("action", "actor", "error", "audited"), REFUSED)
async def test_others_are_refused_and_nothing_changes(
    uow: UnitOfWorkFactory, action: str, actor: str, error: type[ProgramError], audited: str | None
) -> None:
    svc = service(uow, Kicks())
    gid = await submitted(svc)
    _, before = await state(uow, gid)
    with pytest.raises(error):
        await ACTIONS[action](svc, actor, gid)
    status, actions = await state(uow, gid)
    assert status == "pending"
    assert actions == before + ([audited] if audited else [])


@pytest.mark.parametrize("action", ["reject", "request_changes"])
async def test_the_requester_cannot_review_their_own_request(uow: UnitOfWorkFactory, action: str) -> None:
    svc = service(uow, Kicks())
    async with uow() as w:
        person = Person(slack_user_id=BOB, display_name="Bob")
        w.session.add(person)
        await w.session.flush()
        w.session.add(Ambassador(person_id=person.id, term_start=NOW, term_end=NOW + timedelta(days=365)))
    gid = await submitted(svc)
    with pytest.raises(NotAllowed, match="your own request"):
        await ACTIONS[action](svc, BOB, gid)
    assert (await state(uow, gid))[0] == "pending"


@pytest.mark.parametrize("first", ["reject", "request_changes"])
@pytest.mark.parametrize("second", ["reject", "request_changes", "object"])
async def test_a_decided_request_cannot_be_decided_again(
    uow: UnitOfWorkFactory, first: str, second: str
) -> None:
    svc = service(uow, Kicks())
    gid = await submitted(svc)
    await ACTIONS[first](svc, MOD, gid)
    status, before = await state(uow, gid)
    with pytest.raises(Conflict):
        await ACTIONS[second](svc, AMB, gid)
    assert await state(uow, gid) == (status, before)


async def test_requests_are_stored_as_submitted(uow: UnitOfWorkFactory) -> None:
    svc = service(uow, Kicks())
    gid = await submitted(svc)
    async with uow() as w:
        group = (await w.session.execute(select(UserGroup).where(UserGroup.id == gid))).scalar_one()
    assert (group.status, group.requester_slack_id, group.city) == ("pending", BOB, "Auckland")
