"""Who a privacy request is about: the person, found by number, Slack id or forum username, with
every name they are known by, and the tombstone that replaces them once forgotten."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot.program.commands import user_ref
from bot.program.errors import NotFound
from storage.privacy import PrivacyRepo

OPERATOR = "cli"
FORGOTTEN_ACTION = "person.forgotten"
_MIN_TOKEN = 3  # shorter names are not searched for inside other text (too many false hits)


def tombstone_name(person_id: int) -> str:
    return f"forgotten person #{person_id}"


def tombstone_id(person_id: int) -> str:
    return f"forgotten#{person_id}"


def audit_subjects(
    ident: Identity, applications: list[Any], nominations: list[Any], requests: list[Any]
) -> list[tuple[str, list[str]]]:
    """The audit log's subjects that are them: their person, their applications, the nominations
    of them, their requests (ids of each) and their Slack user."""
    slack = ident.slack_user_id
    return [
        ("person", [str(ident.person_id)]),
        ("application", [str(i) for i in applications]),
        ("nomination", [str(i) for i in nominations]),
        ("request", [str(i) for i in requests]),
        ("slack_user", [slack] if slack else []),
    ]


@dataclass(frozen=True)
class Identity:
    person_id: int
    slack_user_id: str | None
    forum_username: str | None
    names: tuple[str, ...]  # display name, names and forum usernames given in applications
    forgotten: bool


async def identify(repo: PrivacyRepo, who: str) -> Identity:
    """The person `who` names: a person number (#12), a Slack user id or mention, or a forum
    username (any case)."""
    ref = who.strip()
    people = repo.t("people")
    where = None
    if re.fullmatch(r"#?\d{1,12}", ref):
        where = people.c.id == int(ref.lstrip("#"))
    elif (slack := user_ref(ref)) is not None:
        where = people.c.slack_user_id == slack
    elif ref:
        where = people.c.forum_username == ref.lstrip("@")
    rows = await repo.select_rows("people", where) if where is not None else []
    if not rows and ref and where is not None and not ref.lstrip("#").isdigit():
        rows = await repo.select_rows(
            "people", repo.lower_eq("people", "forum_username", ref.lstrip("@").lower())
        )
    if not rows:
        raise NotFound(
            f"No one is known as {ref[:80]!r} (give a Slack user id like U0123ABC, a forum "
            "username or a person number like #12)."
        )
    p = rows[0]
    apps = await repo.select_rows("applications", repo.t("applications").c.person_id == p["id"])
    names = {p["display_name"] or ""}
    for a in apps:
        names.update((a["name"] or "", a["forum_username"] or ""))
    if p["forum_username"]:
        names.add(p["forum_username"])
    forgotten = p["slack_user_id"] is None and p["display_name"] == tombstone_name(p["id"])
    names.discard(tombstone_name(p["id"]))
    return Identity(
        person_id=int(p["id"]),
        slack_user_id=p["slack_user_id"],
        forum_username=p["forum_username"],
        names=tuple(sorted(n for n in names if len(n.strip()) >= _MIN_TOKEN)),
        forgotten=forgotten,
    )
