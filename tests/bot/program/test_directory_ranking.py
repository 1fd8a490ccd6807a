"""`find` over a 200-ambassador directory (plus alumni and non-ambassadors with matching profiles)
ranks exactly by the documented scoring, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
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


def name_of(i: int) -> str:
    # Names whose order differs from the index, so ties visibly go by name.
    return f"{chr(65 + (i * 7) % 26)}{chr(97 + (i * 11) % 26)} {i:03d}"


def directory() -> list[Seeded]:
    people: list[Seeded] = []
    for i in range(200):
        profile = {
            "expertise": "Kubernetes, Python" if i % 3 == 0 else "Python" + (", Go" if i % 4 == 0 else ""),
            "interests": "kubernetes community" if i % 5 == 0 else "hiking",
            "city": "Berlin" if i % 7 == 0 else "Lisbon",
            "country": "Germany" if i % 7 == 0 else "Portugal",
            "bio": "I love Kubernetes" if i % 11 == 0 else "Hello",
            "help_with": "berlin meetups" if i % 13 == 0 else "",
            "contact": f"amb{i}@example.org",
        }
        people.append(Seeded(name_of(i), f"U{i:05d}", "active", profile))
    perfect = {
        "expertise": "Kubernetes",
        "interests": "kubernetes",
        "city": "Berlin",
        "country": "Germany",
        "bio": "kubernetes berlin",
        "help_with": "kubernetes berlin",
        "contact": "x",
    }
    people += [Seeded(f"Aa alumnus {i}", f"U9{i:04d}", "alumni", perfect) for i in range(10)]
    people += [Seeded(f"Aa visitor {i}", f"U8{i:04d}", None, perfect) for i in range(10)]
    people += [Seeded(f"Nobody {i}", f"U7{i:04d}", None) for i in range(50)]
    return people


def oracle(people: list[Seeded], query: list[str]) -> list[tuple[int, str]]:
    """The README's scoring, written out plainly: per query word, 3 for expertise, 2 interests,
    2 location, 1 bio/help, when the word starts a word of that field."""
    fields = {"expertise": 3, "interests": 2, "location": 2, "bio_help": 1}
    ranked: list[tuple[int, str]] = []
    for p in people:
        if p.status != "active" or p.profile is None:
            continue
        text = {
            "expertise": p.profile["expertise"],
            "interests": p.profile["interests"],
            "location": p.profile["city"] + " " + p.profile["country"],
            "bio_help": p.profile["bio"] + " " + p.profile["help_with"],
        }
        total = 0
        for q in query:
            for field, weight in fields.items():
                if any(w.startswith(q) for w in re.findall(r"\w+", text[field].lower())):
                    total += weight
        if total:
            ranked.append((total, p.name))
    ranked.sort(key=lambda t: (-t[0], t[1].lower()))
    return ranked


@pytest.fixture
async def service(db_url: str) -> AsyncIterator[ProfileService]:
    engine = make_engine(db_url)
    await migrate.upgrade(engine)
    await bulk_seed(engine, directory(), batch=64)
    settings = settings_from_mapping({"database": {"url": db_url}}, env={})
    try:
        uow = UnitOfWorkFactory(make_sessionmaker(engine))
        yield ProfileService(ServiceDeps(uow, settings, Roles([]), SystemClock()))
    finally:
        await engine.dispose()


async def test_kubernetes_berlin_ranks_exactly_as_documented(service: ProfileService) -> None:
    result = await service.find("Kubernetes  BERLIN!")
    assert result.words == ("kubernetes", "berlin")
    got = [(h.score, h.name) for h in result.hits]
    # By hand: 000 is a multiple of 3, 5, 7, 11 and 13: kubernetes in expertise 3 + interests 2 +
    # bio 1, berlin in location 2 + help 1 = 9. 105 = 3·5·7: 3 + 2 + 2 = 7. 165 = 3·5·11 and
    # 195 = 3·5·13: 6 each, tie broken by name. Then the 5s (3·5 or 3·7), by name.
    assert got == [
        (9, "Aa 000"),
        (7, "Hl 105"),
        (6, "Lv 165"),
        (6, "Nn 195"),
        (5, "Bj 015"),
        (5, "Cs 030"),
        (5, "Db 045"),
        (5, "Ek 060"),
        (5, "Ft 075"),
        (5, "Gc 090"),
    ]
    expected = oracle(directory(), ["kubernetes", "berlin"])
    assert got == expected[:10]
    assert result.total == len(expected)
    assert all(
        "alumnus" not in h.name and "visitor" not in h.name for h in result.hits
    )  # alumni and visitors never show


async def test_prefixes_and_single_words(service: ProfileService) -> None:
    kube = await service.find("kube")
    assert [(h.score, h.name) for h in kube.hits] == oracle(directory(), ["kube"])[:10]
    go = await service.find("ger go")  # "ger" hits Germany (location), "go" the Go expertise
    assert [(h.score, h.name) for h in go.hits] == oracle(directory(), ["ger", "go"])[:10]
    assert go.hits[0].score == 5 and go.total == len(oracle(directory(), ["ger", "go"]))
    assert (await service.find("zzz nothing")).hits == ()
