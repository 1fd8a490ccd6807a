"""Profiles and the directory: the table of an ambassador's directory profile and its repository
(`ProfileRepo`, bound as `uow.profiles`): the word-prefix search behind `/ambassador find` and
the active directory that the "get help and support" page is drawn from."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Select,
    String,
    Text,
    and_,
    bindparam,
    false,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Mapped, mapped_column, validates

from storage.enums import AmbassadorStatus
from storage.models import Ambassador, Application, Base, Person, utcnow
from storage.repository import Repository


class Profile(Base):
    __tablename__ = "profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), unique=True)
    bio: Mapped[str] = mapped_column(Text, default="")
    expertise: Mapped[str] = mapped_column(Text, default="")  # comma-separated tags
    interests: Mapped[str] = mapped_column(Text, default="")
    help_with: Mapped[str] = mapped_column(Text, default="")
    contact: Mapped[str] = mapped_column(Text, default="")
    timezone: Mapped[str] = mapped_column(String(64), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    country: Mapped[str] = mapped_column(String(100), default="")
    # The local user group (user_groups.id) this person is the ambassador of; shown while the
    # group is approved or official.
    home_group_id: Mapped[int | None] = mapped_column(index=True)
    # Lower-cased words of the searchable fields, for `find` (kept in step by the service layer).
    search_text: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The public directory (/program/ambassadors, `export directory`): off until the person ticks
    # "List me on the public directory"; `public_fields` is the comma-separated fields they chose
    # to show there (bot/program/directory/profiles.py PUBLIC_FIELDS).
    public_listed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    public_fields: Mapped[str] = mapped_column(String(200), default="", server_default="")

    @validates("public_listed")
    def _listed(self, _key: str, value: object) -> bool:
        # The profile form's answer arrives as text ("yes" or ""), like its other fields.
        return value is True or value == "yes"


@dataclass(frozen=True)
class DirectoryRow:
    """What `find` needs of one candidate (plain columns: no ORM objects to build)."""

    person_id: int
    slack_user_id: str | None
    display_name: str
    search_text: str
    city: str
    country: str
    timezone: str
    expertise: str
    help_with: str
    contact: str


def _escape(word: str) -> str:
    """`word` as literal text inside a LIKE pattern (escape character `\\`)."""
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@functools.cache
def _matching_statement(count: int) -> Select[int, str, str]:
    """The statement of `ProfileRepo.matching` for `count` words (bound as w0, w1, …)."""
    any_word = or_(*(Profile.search_text.like(bindparam(f"w{i}"), escape="\\") for i in range(count)))
    return (
        select(Profile.person_id, Person.display_name, Profile.search_text)
        .join(Person, Person.id == Profile.person_id)
        .join(
            Ambassador,
            and_(Ambassador.person_id == Profile.person_id, Ambassador.status == AmbassadorStatus.ACTIVE),
        )
        .where(any_word)
    )


@functools.cache
def _directory_rows_statement() -> Select[int, str | None, str, str, str, str, str, str, str, str]:
    """The statement of `ProfileRepo.directory_rows`, built once (the ids bound as one expanding
    parameter): building it took a third of a `find`."""
    return (
        select(
            Person.id,
            Person.slack_user_id,
            Person.display_name,
            Profile.search_text,
            Profile.city,
            Profile.country,
            Profile.timezone,
            Profile.expertise,
            Profile.help_with,
            Profile.contact,
        )
        .join(Person, Person.id == Profile.person_id)
        .where(Profile.person_id.in_(bindparam("ids", expanding=True)))
    )


class ProfileRepo(Repository):
    async def for_person(self, person_id: int) -> Profile | None:
        return await self._one(select(Profile).where(Profile.person_id == person_id))

    async def add(self, profile: Profile) -> Profile:
        return await self._add(profile)

    async def matching(self, words: Sequence[str]) -> list[tuple[int, str, str]]:
        """(person id, display name, search_text) of every ACTIVE ambassador whose search_text
        holds a word starting with one of `words`: what `find` scores, and nothing more.

        One statement per number of words, built once (its LIKE patterns are bound parameters), so
        a request pays for neither building nor compiling it; the exact score and order are the
        caller's (`bot.program.directory.search`), on these few narrow columns.
        """
        if not words:
            return []
        params = {f"w{i}": f"% _:{_escape(w)}%" for i, w in enumerate(words)}
        rows = await self.s.execute(_matching_statement(len(words)), params)
        return [(int(pid), str(name), str(text)) for pid, name, text in rows]

    async def directory_rows(self, person_ids: Sequence[int]) -> list[DirectoryRow]:
        """What `find` shows of these people (active ambassadors with a profile), in no order."""
        if not person_ids:
            return []
        rows = await self.s.execute(_directory_rows_statement(), {"ids": list(person_ids)})
        return [
            DirectoryRow(pid, slack_id, name, text, city, country, tz, expertise, help_with, contact)
            for pid, slack_id, name, text, city, country, tz, expertise, help_with, contact in rows.all()
        ]

    async def active_directory(
        self,
    ) -> Sequence[tuple[Person, Ambassador, Profile | None, Application | None]]:
        """Every active ambassador with their profile (if any) and the application that made them one."""
        stmt = (
            select(Person, Ambassador, Profile, Application)
            .join(
                Ambassador,
                and_(Ambassador.person_id == Person.id, Ambassador.status == AmbassadorStatus.ACTIVE),
            )
            .outerjoin(Profile, Profile.person_id == Person.id)
            .outerjoin(Application, Application.id == Ambassador.application_id)
            .order_by(func.lower(Person.display_name), Person.id)
        )
        return list((await self.s.execute(stmt)).all())

    async def clear_home_group(self, group_id: int) -> list[int]:
        """Every profile whose home group is `group_id` loses it; the person ids, in order."""
        stmt = select(Profile.person_id).where(Profile.home_group_id == group_id).order_by(Profile.person_id)
        person_ids = [int(pid) for pid in (await self.s.execute(stmt)).scalars()]
        if person_ids:
            await self.s.execute(
                update(Profile).where(Profile.home_group_id == group_id).values(home_group_id=None)
            )
        return person_ids

    async def ambassadors_of_groups(self, group_ids: Sequence[int]) -> dict[int, list[str]]:
        """Group id -> the Slack ids of the active ambassadors whose home group it is."""
        if not group_ids:
            return {}
        stmt = (
            select(Profile.home_group_id, Person.slack_user_id)
            .join(Person, Person.id == Profile.person_id)
            .join(
                Ambassador,
                and_(Ambassador.person_id == Person.id, Ambassador.status == AmbassadorStatus.ACTIVE),
            )
            .where(Profile.home_group_id.in_(list(group_ids)), Person.slack_user_id.is_not(None))
            .order_by(Person.id)
        )
        out: dict[int, list[str]] = {}
        for group_id, slack_id in (await self.s.execute(stmt)).all():
            if group_id is not None:
                out.setdefault(group_id, []).append(str(slack_id))
        return out
