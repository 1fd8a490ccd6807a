"""The public directory's privacy rules and search (bot/program/public/directory.py), on the real
migrated database: nobody is listed until they opt in, only the chosen fields are shown or
searched, and alumni and forgotten people are gone at the next read."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from bot.program.directory.profiles import public_choice
from bot.program.directory.search import query_words, rank, search_text
from bot.program.directory.service import ProfileService
from bot.program.errors import InvalidInput
from bot.program.permissions import ServiceDeps
from bot.program.privacy.service import PrivacyService
from bot.program.public.directory import PublicAmbassador, listed_ambassadors, public_view, search
from storage.models import Ambassador
from storage.profiles import DirectoryRow
from storage.public import PublicRow
from tests.bot.program.conftest import Program

ALL = "name,location,expertise,help_with,contact,home_group"
PROFILE = {
    "bio": "Secret bio",
    "expertise": "Kubernetes, Go",
    "interests": "Hidden interests",
    "help_with": "First talks",
    "contact": "DM me",
    "city": "Berlin",
    "country": "Germany",
}


def row(person_id: int, name: str, fields: str = ALL, **values: str) -> PublicRow:
    base = {
        "city": "Berlin",
        "country": "Germany",
        "expertise": "Kubernetes, Go",
        "help_with": "First talks",
        "contact": "DM me",
    }
    base.update(values)
    return PublicRow(person_id, name, fields, home_group="Ambassadors Berlin", **base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("fields", "shown"),
    [
        (ALL, ("Alice", "Berlin, Germany", "Kubernetes, Go", "First talks", "DM me", "Ambassadors Berlin")),
        ("name,expertise", ("Alice", None, "Kubernetes, Go", None, None, None)),
        ("contact", (None, None, None, None, "DM me", None)),
        ("", (None, None, None, None, None, None)),
        ("location,bogus", (None, "Berlin, Germany", None, None, None, None)),
    ],
)
def test_only_the_chosen_fields_are_shown(fields: str, shown: tuple[str | None, ...]) -> None:
    assert public_view(row(1, "Alice", fields)) == PublicAmbassador(*shown)


def test_an_empty_chosen_field_is_not_shown() -> None:
    assert public_view(row(1, "Alice", ALL, contact="   ", city="", country="")).contact is None
    assert public_view(row(1, "Alice", ALL, city="", country="")).location is None
    assert public_view(row(1, "Alice", ALL, city="Lyon", country="")).location == "Lyon"


def test_search_ranks_as_find_does_when_everything_is_shown() -> None:
    rows = [
        row(1, "Alice", expertise="Kubernetes, Go", city="Berlin"),
        row(2, "bob", expertise="Python", city="Berlin", help_with="kubernetes upgrades"),
        row(3, "Carol", expertise="Kubernetes", city="Lisbon", country="Portugal"),
        row(4, "Alan", expertise="Rust", city="Paris", country="France"),
        row(5, "alice", expertise="Kubernetes, Go", city="Berlin"),  # a tie: by name, then id
    ]
    for text in ("kubernetes berlin", "kube", "berlin go", "portugal rust", "zzz"):
        query, _ = query_words(text)
        as_find = [
            DirectoryRow(
                r.person_id,
                None,
                r.display_name,
                search_text(
                    {"expertise": r.expertise, "help_with": r.help_with, "city": r.city, "country": r.country}
                ),
                "",
                "",
                "",
                "",
                "",
                "",
            )
            for r in rows
        ]
        hits, _ = rank(as_find, query, 10)
        assert [p.name for p in search(rows, text).people] == [h.name for h in hits], text


def test_search_ignores_fields_that_are_not_shown() -> None:
    rows = [row(1, "Alice", "name,contact"), row(2, "Bob", "name,location", city="Berlin")]
    assert [p.name for p in search(rows, "berlin").people] == ["Bob"]
    assert search(rows, "kubernetes").people == ()
    hidden_name = [row(3, "Zed", "expertise")]
    assert search(hidden_name, "kube").people == (public_view(hidden_name[0]),)
    with pytest.raises(InvalidInput):
        search(rows, "a ?")


@pytest.mark.parametrize(
    ("form", "expected"),
    [
        ({}, {}),
        ({"public_listed": "yes"}, {"public_listed": "yes"}),
        ({"public_listed": "no"}, {"public_listed": ""}),
        ({"public_listed": None, "public_fields": None}, {"public_listed": "", "public_fields": ""}),
        ({"public_fields": "contact,name,bogus,,name"}, {"public_fields": "name,contact"}),
    ],
)
def test_the_forms_public_answers_are_normalised(
    form: dict[str, str | None], expected: dict[str, str]
) -> None:
    assert public_choice(form) == expected


async def _save(program: Program, user: str, **form: str) -> None:
    """Save `user`'s profile (its contact is the user id, to tell the people apart)."""
    service = ProfileService(ServiceDeps(program.uow, program.settings, program.roles, program.clock))
    await service.save(user, {**PROFILE, "contact": user, **form})


async def _names(program: Program, query: str | None = None) -> list[str | None]:
    """Who is listed, by the contact they show."""
    async with program.uow() as uow:
        return [p.contact for p in await listed_ambassadors(uow, program.settings, query)]


async def test_nobody_is_listed_until_they_opt_in(program: Program) -> None:
    await program.ambassador("U0ALICE", "alice")
    await program.ambassador("U0BOB", "bob")
    await _save(program, "U0ALICE")
    await _save(program, "U0BOB")
    assert await _names(program) == []
    await _save(program, "U0ALICE", public_listed="yes", public_fields="name,expertise")
    await _save(program, "U0BOB", public_fields="name,expertise")  # fields chosen, but not listed
    async with program.uow() as uow:
        [alice] = await listed_ambassadors(uow, program.settings)
    assert alice == PublicAmbassador("Alice Example", None, "Kubernetes, Go", None, None, None)
    # A save without the public answers (e.g. an import) keeps the choice; unticking removes it.
    await _save(program, "U0ALICE", bio="Changed")
    assert await _names(program) == [None]  # listed, contact not shown
    await _save(program, "U0ALICE", public_listed="")
    assert await _names(program) == []


async def test_alumni_and_forgotten_people_are_gone_at_the_next_read(program: Program) -> None:
    for user, name in (("U0ALICE", "alice"), ("U0BOB", "bob")):
        await program.ambassador(user, name)
        await _save(program, user, public_listed="yes", public_fields=ALL)
    assert await _names(program) == ["U0ALICE", "U0BOB"]
    async with program.uow() as uow:
        before = await uow.public.version()
        bob = await uow.people.by_slack_id("U0BOB")
        assert bob is not None
        await uow.session.execute(
            update(Ambassador).where(Ambassador.person_id == bob.id).values(status="alumni")
        )
    assert await _names(program) == ["U0ALICE"]
    async with program.uow() as uow:
        after_alumni = await uow.public.version()
    await PrivacyService(program.uow, program.clock).forget("U0ALICE")
    assert await _names(program) == []
    async with program.uow() as uow:
        after_forget = await uow.public.version()
    assert len({before, after_alumni, after_forget}) == 3


async def test_a_profile_edit_changes_the_version(program: Program) -> None:
    await program.ambassador("U0ALICE", "alice")
    await _save(program, "U0ALICE", public_listed="yes", public_fields=ALL)
    async with program.uow() as uow:
        before = await uow.public.version()
    program.clock.advance(seconds=1)
    await _save(program, "U0ALICE", public_listed="yes", public_fields=ALL, expertise="Rust")
    async with program.uow() as uow:
        assert await uow.public.version() != before
    assert [p.expertise for p in await _listed(program)] == ["Rust"]


async def _listed(program: Program) -> list[PublicAmbassador]:
    async with program.uow() as uow:
        return await listed_ambassadors(uow, program.settings)
