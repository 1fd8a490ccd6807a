"""Bulk-load people, ambassadors and directory profiles straight into the database (SQLAlchemy
core, in batches), for the ranking test and the `find` benchmark."""

# The only SQL built from text names a fixed table.
# ruff: noqa: S608

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.program.directory.search import search_text
from storage.models import Ambassador, Person
from storage.profiles import Profile


@dataclass
class Seeded:
    name: str
    slack_user_id: str
    status: str | None  # "active", "alumni" or None (no ambassador row)
    profile: dict[str, str] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _chunks(rows: Sequence[dict[str, Any]], size: int) -> Iterable[Sequence[dict[str, Any]]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


async def bulk_seed(engine: AsyncEngine, people: Sequence[Seeded], batch: int = 2000) -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    person_rows: list[dict[str, Any]] = []
    amb_rows: list[dict[str, Any]] = []
    profile_rows: list[dict[str, Any]] = []
    for pid, p in enumerate(people, start=1):
        person_rows.append(
            {"id": pid, "slack_user_id": p.slack_user_id, "display_name": p.name, "created_at": now}
        )
        if p.status is not None:
            amb_rows.append(
                {
                    "id": len(amb_rows) + 1,
                    "person_id": pid,
                    "status": p.status,
                    "term_start": now - timedelta(days=pid % 700),
                    "term_end": now + timedelta(days=730 - pid % 700),
                    "created_at": now,
                    "updated_at": now,
                }
            )
        if p.profile is not None:
            values = {k: p.profile.get(k, "") for k in ("bio", "expertise", "interests", "help_with")}
            values.update({k: p.profile.get(k, "") for k in ("contact", "timezone", "city", "country")})
            profile_rows.append(
                {"person_id": pid, **values, "search_text": search_text(values), "updated_at": now}
            )
    async with engine.begin() as conn:
        for table, rows in ((Person, person_rows), (Ambassador, amb_rows), (Profile, profile_rows)):
            for chunk in _chunks(rows, batch):
                await conn.execute(insert(table), list(chunk))
        if engine.dialect.name == "postgresql":  # explicit ids: move the sequences past them
            for table_name in ("people", "ambassadors", "profiles"):
                await conn.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table_name}', 'id'), "
                    f"(SELECT COALESCE(MAX(id), 1) FROM {table_name}))"
                )


# -- a synthetic directory of the size a large community has (for the benchmark) -----------------

EXPERTISE = (
    "Kubernetes",
    "Docker",
    "Python",
    "Go",
    "Rust",
    "JavaScript",
    "TypeScript",
    "Linux",
    "Networking",
    "Security",
    "Databases",
    "PostgreSQL",
    "Machine learning",
    "Embedded",
    "IoT",
    "Raspberry Pi",
    "Community events",
    "Documentation",
    "Public speaking",
    "DevOps",
    "CI/CD",
    "Observability",
    "Terraform",
    "Ansible",
    "OpenStack",
    "Edge computing",
    "Hardware",
    "Design",
    "Accessibility",
    "Testing",
)
INTERESTS = (
    "hiking",
    "photography",
    "open hardware",
    "education",
    "mentoring",
    "meetups",
    "writing",
    "robotics",
    "gaming",
    "music",
    "cooking",
    "cycling",
    "diversity",
    "open data",
    "sustainability",
)
PLACES = (
    ("Berlin", "Germany"),
    ("Munich", "Germany"),
    ("Lisbon", "Portugal"),
    ("Porto", "Portugal"),
    ("Paris", "France"),
    ("Lyon", "France"),
    ("Madrid", "Spain"),
    ("Barcelona", "Spain"),
    ("London", "United Kingdom"),
    ("Dublin", "Ireland"),
    ("Amsterdam", "Netherlands"),
    ("Warsaw", "Poland"),
    ("Prague", "Czechia"),
    ("Vienna", "Austria"),
    ("Zürich", "Switzerland"),
    ("New York", "United States"),
    ("Austin", "United States"),
    ("Toronto", "Canada"),
    ("São Paulo", "Brazil"),
    ("Buenos Aires", "Argentina"),
    ("Lagos", "Nigeria"),
    ("Nairobi", "Kenya"),
    ("Bangalore", "India"),
    ("Tokyo", "Japan"),
    ("Seoul", "South Korea"),
    ("Sydney", "Australia"),
)
FIRST = (
    "Ana",
    "Ben",
    "Chloé",
    "Dmitri",
    "Eve",
    "Farah",
    "Goran",
    "Hana",
    "Ivan",
    "Jun",
    "Kofi",
    "Lena",
    "Marta",
    "Nico",
    "Olu",
    "Priya",
    "Quinn",
    "Rosa",
    "Sven",
    "Tomás",
    "Uma",
    "Vera",
    "Wei",
    "Yara",
)
LAST = (
    "Silva",
    "Müller",
    "Kowalski",
    "Nakamura",
    "Okafor",
    "Rossi",
    "García",
    "Novak",
    "Kim",
    "Dubois",
    "Andersen",
    "Costa",
    "Ivanova",
    "Patel",
    "Smith",
    "Haddad",
)


def synthetic(people: int, ambassadors: int, alumni: int = 0, seed: int = 7) -> list[Seeded]:
    """`people` people; the first `ambassadors` are active with profiles, the next `alumni` are
    alumni with profiles (never found), the rest have no ambassador row and no profile."""
    rng = random.Random(seed)
    out: list[Seeded] = []
    for i in range(people):
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)} {i:06d}"
        slack = f"U{i:09d}"
        if i >= ambassadors + alumni:
            out.append(Seeded(name, slack, None))
            continue
        city, country = rng.choice(PLACES)
        profile = {
            "expertise": ", ".join(rng.sample(EXPERTISE, rng.randint(1, 4))),
            "interests": ", ".join(rng.sample(INTERESTS, rng.randint(0, 3))),
            "city": city,
            "country": country,
            "timezone": "Europe/Berlin",
            "bio": f"I help with {rng.choice(EXPERTISE).lower()} and love {rng.choice(INTERESTS)}.",
            "help_with": f"Getting started with {rng.choice(EXPERTISE)}",
            "contact": f"DM me, or @{slack.lower()} on the forum",
        }
        out.append(Seeded(name, slack, "active" if i < ambassadors else "alumni", profile))
    return out
