"""`find` orders ties by name case-folded, as documented, however many profiles tie: a name that
SQL's lower() sorts elsewhere (non-ASCII) is still shown where the documented order puts it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.config import settings_from_mapping
from bot.program.directory.service import ProfileService
from bot.program.permissions import ServiceDeps
from bot.program.ports import SystemClock
from bot.program.roles import Roles
from bot.sandbox.harness.directory_seed import Seeded, bulk_seed
from storage import migrate
from storage.db import make_engine, make_sessionmaker
from storage.uow import UnitOfWorkFactory

SAME = {"expertise": "Kubernetes", "city": "Berlin", "country": "Germany", "contact": "x"}


@pytest.fixture
async def service(db_url: str) -> AsyncIterator[ProfileService]:
    engine = make_engine(db_url)
    await migrate.upgrade(engine)
    # 60 equal profiles named t000…t059, then "ßa Straße" with the same profile: case-folded,
    # "ßa" is "ssa", before every "t…"; SQL's lower() leaves "ß" as is, after "z".
    people = [Seeded(f"t{i:03d}", f"U{i:05d}", "active", SAME) for i in range(60)]
    people.append(Seeded("ßa Straße", "U99999", "active", SAME))
    people.append(Seeded("Ärzte Alumna", "U99998", "alumni", SAME))
    await bulk_seed(engine, people, batch=64)
    settings = settings_from_mapping({"database": {"url": db_url}}, env={})
    try:
        uow = UnitOfWorkFactory(make_sessionmaker(engine))
        yield ProfileService(ServiceDeps(uow, settings, Roles([]), SystemClock()))
    finally:
        await engine.dispose()


async def test_a_tie_goes_by_case_folded_name_among_many_equal_profiles(service: ProfileService) -> None:
    result = await service.find("kubernetes berlin")
    names = [h.name for h in result.hits]
    assert names == ["ßa Straße"] + [f"t{i:03d}" for i in range(9)]
    assert {h.score for h in result.hits} == {5}
    assert result.total == 61  # the alumna is not searched


async def test_the_shown_hits_carry_their_profiles(service: ProfileService) -> None:
    result = await service.find("berl")
    first = result.hits[0]
    assert (first.name, first.slack_user_id, first.city, first.country, first.contact) == (
        "ßa Straße",
        "U99999",
        "Berlin",
        "Germany",
        "x",
    )
    assert first.matched == ("berl",)
    assert result.total == 61
