"""What the public program pages read (`PublicRepo`, bound as `uow.public`): the people who chose
to be listed, the approved and official user groups, and a cheap "version" of the directory.

Only active ambassadors who ticked "List me on the public directory" are ever read here, and a
Slack id never leaves this module: a group's mentor or a Slack-only organiser is named only when
that person is listed and chose to show their name."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import Select, and_, func, select, true

from storage.enums import AmbassadorStatus, UserGroupStatus
from storage.groups import GroupOrganiser, UserGroup
from storage.models import Ambassador, Person
from storage.profiles import Profile
from storage.repository import Repository

PUBLIC_GROUPS = (UserGroupStatus.APPROVED, UserGroupStatus.OFFICIAL)


class PublicRow(NamedTuple):
    """One listed person's columns (the program layer keeps only the fields they chose). A named
    tuple, not a dataclass: a page reads thousands of them, and a tuple is made at C speed."""

    person_id: int
    display_name: str
    public_fields: str
    city: str
    country: str
    expertise: str
    help_with: str
    contact: str
    home_group: str | None  # the title of their home group while it is approved or official


@dataclass(frozen=True)
class PublicGroupRow:
    id: int
    title: str
    city: str
    region: str
    country: str
    latitude: float | None
    longitude: float | None
    website: str
    status: str
    mentor: str | None  # the mentor's name, only when they are listed and show their name
    has_mentor: bool  # whether the group has a mentor at all (named or not)
    organisers: tuple[str, ...]  # forum usernames, and names of listed organisers who show them
    hidden_organisers: int  # organisers the page cannot name


def _listed() -> Select[int, str, str, str | None]:
    """(person id, display name, chosen fields, slack id) of every listed active ambassador."""
    return (
        select(Person.id, Person.display_name, Profile.public_fields, Person.slack_user_id)
        .join(Profile, Profile.person_id == Person.id)
        .join(
            Ambassador,
            and_(Ambassador.person_id == Person.id, Ambassador.status == AmbassadorStatus.ACTIVE),
        )
        .where(Profile.public_listed.is_(True))
    )


def _shows_name(fields: str) -> bool:
    return "name" in fields.split(",")


class PublicRepo(Repository):
    async def listed(self) -> list[PublicRow]:
        """Every listed active ambassador, by name (case-insensitive), then by who came first."""
        stmt = (
            select(
                Person.id,
                Person.display_name,
                Profile.public_fields,
                Profile.city,
                Profile.country,
                Profile.expertise,
                Profile.help_with,
                Profile.contact,
                UserGroup.title,
            )
            .join(Profile, Profile.person_id == Person.id)
            .join(
                Ambassador,
                and_(Ambassador.person_id == Person.id, Ambassador.status == AmbassadorStatus.ACTIVE),
            )
            .outerjoin(
                UserGroup,
                and_(UserGroup.id == Profile.home_group_id, UserGroup.status.in_(PUBLIC_GROUPS)),
            )
            .where(Profile.public_listed.is_(True))
            .order_by(func.lower(Person.display_name), Person.id)
        )
        # On the session's connection, as Core: plain columns need none of the ORM's loading.
        conn = await self.s.connection()
        return [PublicRow._make(row) for row in (await conn.execute(stmt)).all()]

    async def version(self) -> tuple[object, ...]:
        """A cheap fingerprint of everything the directory and groups pages show: it changes when
        someone is listed or leaves (count and sum of ids), edits their profile or changes status
        (latest updated_at), is renamed (total name length), or a group changes."""
        listed = (
            select(
                func.count(),
                func.coalesce(func.sum(Person.id), 0),
                func.max(Profile.updated_at),
                func.max(Ambassador.updated_at),
                func.coalesce(func.sum(func.length(Person.display_name)), 0),
            )
            .join(Profile, Profile.person_id == Person.id)
            .join(
                Ambassador,
                and_(Ambassador.person_id == Person.id, Ambassador.status == AmbassadorStatus.ACTIVE),
            )
            .where(Profile.public_listed.is_(True))
        )
        groups = select(
            func.count(), func.coalesce(func.sum(UserGroup.id), 0), func.max(UserGroup.updated_at)
        )
        organisers = select(
            func.count(), func.coalesce(func.sum(GroupOrganiser.id), 0), func.max(GroupOrganiser.added_at)
        )
        # One round trip: the three aggregates as subqueries of one SELECT.
        # Each is exactly one row, so joining them on TRUE is one row of all their columns.
        a, b, c = (stmt.subquery() for stmt in (listed, groups, organisers))
        both = a.join(b, true()).join(c, true())
        row = (await self.s.execute(select(*a.c, *b.c, *c.c).select_from(both))).one()
        return tuple(row)

    async def groups(self) -> list[PublicGroupRow]:
        """The approved and official groups, by country, city and title."""
        stmt = (
            select(UserGroup)
            .where(UserGroup.status.in_(PUBLIC_GROUPS))
            .order_by(
                func.lower(UserGroup.country), func.lower(UserGroup.city), UserGroup.title, UserGroup.id
            )
        )
        groups: Sequence[UserGroup] = (await self.s.execute(stmt)).scalars().all()
        if not groups:
            return []
        names = {
            slack_id: name
            for _pid, name, fields, slack_id in (await self.s.execute(_listed())).all()
            if slack_id and name and _shows_name(fields)
        }
        ids = [g.id for g in groups]
        org_stmt = select(GroupOrganiser).where(GroupOrganiser.group_id.in_(ids)).order_by(GroupOrganiser.id)
        by_group: dict[int, list[GroupOrganiser]] = {}
        for org in (await self.s.execute(org_stmt)).scalars():
            by_group.setdefault(org.group_id, []).append(org)
        out = []
        for g in groups:
            shown: list[str] = []
            hidden = 0
            for org in by_group.get(g.id, []):
                if org.forum_username:
                    shown.append("@" + org.forum_username)
                elif org.slack_user_id and org.slack_user_id in names:
                    shown.append(names[org.slack_user_id])
                else:
                    hidden += 1
            out.append(
                PublicGroupRow(
                    g.id,
                    g.title,
                    g.city,
                    g.region,
                    g.country,
                    g.latitude,
                    g.longitude,
                    g.website,
                    g.status,
                    names.get(g.mentor_slack_id or ""),
                    g.mentor_slack_id is not None,
                    tuple(shown),
                    hidden,
                )
            )
        return out
