"""What an import of existing ambassadors reads and adds (`RosterRepo`): the records of many people
at once, found by Slack id or forum username (in chunks, so a 500-line file is a handful of
queries, not two thousand), and new rows staged for the next flush (a person, a profile).

Reached through `roster_of(uow)`, so bot/program/roster never touches the session itself."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from sqlalchemy import func, select

from storage.models import Ambassador, OnboardingStep, Person
from storage.profiles import Profile
from storage.repository import Repository
from storage.uow import UnitOfWork

R = TypeVar("R", Person, Profile)
_CHUNK = 500  # values per IN (...) list: well inside every engine's parameter limit


@dataclass
class Held:
    """The records of the people a roster names: by Slack id, by lower-cased forum username, and
    each one's ambassador row and profile by person id."""

    by_slack: dict[str, Person] = field(default_factory=dict)
    by_forum: dict[str, Person] = field(default_factory=dict)
    ambassadors: dict[int, Ambassador] = field(default_factory=dict)
    profiles: dict[int, Profile] = field(default_factory=dict)


def _chunks(values: Iterable[str]) -> Iterable[list[str]]:
    items = sorted(set(values))
    for i in range(0, len(items), _CHUNK):
        yield items[i : i + _CHUNK]


class RosterRepo(Repository):
    async def held(self, slack_ids: Iterable[str], forum_usernames: Iterable[str]) -> Held:
        out = Held()
        for chunk in _chunks(slack_ids):
            for p in (await self.s.execute(select(Person).where(Person.slack_user_id.in_(chunk)))).scalars():
                out.by_slack[str(p.slack_user_id)] = p
        for chunk in _chunks(u.lower() for u in forum_usernames):
            stmt = select(Person).where(func.lower(Person.forum_username).in_(chunk))
            for p in (await self.s.execute(stmt)).scalars():
                out.by_forum[str(p.forum_username).lower()] = p
        ids = [str(p.id) for p in (*out.by_slack.values(), *out.by_forum.values())]
        for chunk in _chunks(ids):
            people = [int(i) for i in chunk]
            for a in (
                await self.s.execute(select(Ambassador).where(Ambassador.person_id.in_(people)))
            ).scalars():
                out.ambassadors[a.person_id] = a
            for pr in (await self.s.execute(select(Profile).where(Profile.person_id.in_(people)))).scalars():
                out.profiles[pr.person_id] = pr
        return out

    def stage(self, row: R) -> R:
        """A new row (a person, a profile), inserted at the next flush: an import of 500 lines
        writes a person with their ambassador row, and a profile with the checklist."""
        self.s.add(row)
        return row

    async def add_checklist(
        self, ambassador_id: int, steps: Sequence[tuple[str, str, str]], done: tuple[datetime, str] | None
    ) -> None:
        """A new ambassador's onboarding steps (key, title, how it completes) in this order, all
        completed at `done` (when, by whom) or all open; one flush."""
        at, by = done if done is not None else (None, None)
        for pos, (key, title, completes) in enumerate(steps):
            self.s.add(
                OnboardingStep(
                    ambassador_id=ambassador_id,
                    key=key,
                    title=title,
                    completes=completes,
                    position=pos,
                    completed_at=at,
                    completed_by=by,
                )
            )
        await self.s.flush()


def roster_of(uow: UnitOfWork) -> RosterRepo:
    """The roster repository on `uow`'s session (the unit of work's other repositories share it)."""
    return RosterRepo(uow.session)
