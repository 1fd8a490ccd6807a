"""The shared repository base (storage/repository.py) and the per-feature layout of storage.

- a transition moves a row on only from the statuses given, exactly once, and leaves the rows the
  session holds alone until they are read afresh;
- an insert that loses to a unique constraint says False and keeps the unit of work usable;
- the newest matching row, a counted page;
- every feature module's tables are in the metadata the migrations are compared with, and the
  unit of work binds every repository under its old name.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import make_sessionmaker
from storage.enums import NominationStatus
from storage.models import Ambassador, Application, Base, Person, ProcessedEvent, import_all_models
from storage.nominations import Nomination
from storage.uow import UnitOfWork

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


async def _nominate(uow: UnitOfWork, nominee: str, at: datetime) -> int:
    nomination = Nomination(nominee_slack_id=nominee, nominator_slack_id="U0", created_at=at)
    return (await uow.nominations.add(nomination)).id


async def test_a_transition_moves_a_row_once_and_only_from_the_statuses_given(engine: AsyncEngine) -> None:
    sm = make_sessionmaker(engine)
    async with UnitOfWork(sm) as uow:
        nid = await _nominate(uow, "U1", NOW)
    async with UnitOfWork(sm) as uow:
        held = await uow.nominations.get(nid)
        assert held is not None
        assert await uow.nominations.decide(nid, NominationStatus.INVITED, "UMOD", NOW)
        assert not await uow.nominations.decide(nid, NominationStatus.DECLINED, "UMOD2", NOW)
        assert held.status == NominationStatus.PENDING  # not synchronised: the count tells the outcome
        fresh = await uow.nominations.get(nid)  # read afresh, as the services do
        assert fresh is not None
        assert (fresh.status, fresh.decided_by) == (NominationStatus.INVITED, "UMOD")


async def test_an_insert_refused_by_a_unique_constraint_says_false_and_the_work_goes_on(
    engine: AsyncEngine,
) -> None:
    sm = make_sessionmaker(engine)
    async with UnitOfWork(sm) as uow:
        assert await uow.calendar.claim_reminder("k:1", "event", "sent", NOW, NOW, {})
        assert not await uow.calendar.claim_reminder("k:1", "event", "sent", NOW, NOW, {})
        assert await uow.deliveries.first_time("slack", "e1", NOW)
    async with UnitOfWork(sm) as uow:
        assert await uow.calendar.decided(["k:1", "k:2"]) == {"k:1"}
        assert await uow.calendar.reminder_counts() == {"sent": 1}
        rows = (await uow.session.execute(ProcessedEvent.__table__.select())).all()
        assert len(rows) == 1


async def test_the_newest_row_and_a_counted_page(engine: AsyncEngine) -> None:
    sm = make_sessionmaker(engine)
    async with UnitOfWork(sm) as uow:
        first = await _nominate(uow, "U7", NOW)
        second = await _nominate(uow, "U7", NOW + timedelta(minutes=1))
        third = await _nominate(uow, "U8", NOW + timedelta(minutes=2))
    async with UnitOfWork(sm) as uow:
        newest = await uow.nominations.open_for("U7")
        assert newest is not None and newest.id == second
        assert await uow.nominations.open_for("U9") is None
        rows, total = await uow.nominations.pending(2)
        assert [r.id for r in rows] == [first, second]
        assert total == 3
        assert await uow.nominations.decide(third, NominationStatus.DECLINED, "UMOD", NOW)
        rows, total = await uow.nominations.pending(5)
        assert ([r.id for r in rows], total) == ([first, second], 2)


async def test_get_or_create_adds_a_person_once(engine: AsyncEngine) -> None:
    sm = make_sessionmaker(engine)
    async with UnitOfWork(sm) as uow:
        a = await uow.people.get_or_create_slack("U5", "Ana")
        b = await uow.people.get_or_create_slack("U5", "Other")
        assert a.id == b.id and isinstance(a, Person) and b.display_name == "Ana"


def test_every_feature_module_declares_its_tables_in_the_one_metadata() -> None:
    import_all_models()
    expected = {
        "nominations",  # storage/nominations.py
        "profiles",  # storage/profiles.py
        "link_codes",  # storage/linking.py
        "badge_grants",  # storage/forum.py
        "group_memberships",  # storage/forum.py
        "event_series",  # storage/events.py
        "user_groups",  # storage/groups.py
        "requests",  # storage/requests.py
        "people",  # storage/models.py
    }
    assert expected <= set(Base.metadata.tables)


async def test_the_unit_of_work_binds_every_repository_under_its_name(engine: AsyncEngine) -> None:
    names = [
        "people", "applications", "ambassadors", "onboarding", "badges", "outbox", "deliveries",
        "audit", "forum", "groups", "calendar", "nominations", "profiles", "link_codes", "lifecycle",
        "requests", "terms", "reports", "exports", "backup", "privacy",
    ]  # fmt: skip
    async with UnitOfWork(make_sessionmaker(engine)) as uow:
        for name in names:
            assert getattr(uow, name).s is uow.session, name


async def test_standing_is_the_person_their_ambassador_record_and_latest_application(
    engine: AsyncEngine,
) -> None:
    sm = make_sessionmaker(engine)
    async with UnitOfWork(sm) as uow:
        both = await uow.people.get_or_create_slack("U1", "One")
        alone = await uow.people.get_or_create_slack("U2", "Two")
        for days, status in ((30, "rejected"), (2, "approved")):
            uow.session.add(
                Application(
                    person_id=both.id,
                    status=status,
                    name="One",
                    forum_username="one",
                    submitted_at=NOW - timedelta(days=days),
                )
            )
        uow.session.add(Ambassador(person_id=both.id, term_start=NOW, term_end=NOW + timedelta(days=730)))
    async with UnitOfWork(sm) as uow:
        standing = await uow.people.standing("U1")
        assert standing is not None
        person, amb, app = standing
        assert person.id == both.id and amb is not None and amb.person_id == both.id
        assert app is not None and app.status == "approved"  # the newer of the two
        lone = await uow.people.standing("U2")
        assert lone is not None and lone[0].id == alone.id and lone[1:] == (None, None)
        assert await uow.people.standing("U3") is None
