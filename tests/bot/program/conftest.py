"""The program's services built without HTTP, for the unit tests of each feature: the real migrated
database (SQLite, and PostgreSQL when TEST_DATABASE_URL is set), a clock moved by hand and small
fake ports that record what they are asked.

Every service of these tests is built here, in `Program`, the way `bot/runtime.py` builds it, so a
change to a service's constructor is made in this one place. What the tests look at afterwards is
what a user would notice: the outbox (what is about to be said or done on Slack and the forum) and
the audit log."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.config import Settings
from bot.program.applications import ApplicationService
from bot.program.audit import AuditService
from bot.program.badges.forum import ForumService
from bot.program.badges.grants import Badge, BadgeService
from bot.program.badges.sync import SyncService
from bot.program.linking.service import LinkingService
from bot.program.nominations import NominationService
from bot.program.onboarding.service import OnboardingService
from bot.program.permissions import ServiceDeps
from bot.program.reminders.sweep import ReminderService
from bot.program.roles import Roles
from bot.program.terms.retire import LifecycleService
from bot.sandbox.harness.stack import (
    APPLICATION,
    BADGE_ID,
    MOD,
    FakeClock,
)
from bot.sandbox.harness.stack import (
    test_settings as harness_settings,
)
from storage.db import make_engine, make_sessionmaker
from storage.migrate import upgrade
from storage.uow import UnitOfWork, UnitOfWorkFactory

FORUM_URL = "https://forum.test"
START = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
GROUP_ID = 41  # the ambassadors group on the fake forum
SPEAKER = 9  # a badge besides the ambassador badge that approval grants


class Signal:
    """The outbox worker's wake-up port: counts the kicks."""

    def __init__(self) -> None:
        self.kicks = 0

    def kick(self) -> None:
        self.kicks += 1


@dataclass
class Forum:
    """The forum as the services' ports see it (badges, usernames, the group), recording reads."""

    badges: list[Badge] = field(
        default_factory=lambda: [
            Badge(BADGE_ID, "Ambassador"),
            Badge(SPEAKER, "Speaker"),
            Badge(7, "Old", enabled=False),
        ]
    )
    usernames: dict[int, str] = field(default_factory=dict)
    holders: dict[str, int] = field(default_factory=dict)  # badge holders: username -> user_badge id
    members: set[str] = field(default_factory=set)  # of the ambassadors' group
    calls: list[str] = field(default_factory=list)

    async def all_badges(self) -> list[Badge]:
        self.calls.append("all_badges")
        return list(self.badges)

    async def username_for(self, user_id: int) -> str | None:
        self.calls.append(f"username_for:{user_id}")
        return self.usernames.get(user_id)

    async def badge_name(self, badge_id: int) -> str | None:
        return next((b.name for b in self.badges if b.id == badge_id), None)

    async def group_id(self, name: str) -> int:
        return GROUP_ID

    async def badge_holders(self, badge_id: int) -> dict[str, int]:
        self.calls.append(f"badge_holders:{badge_id}")
        return dict(self.holders)

    async def group_members(self, group: str) -> set[str]:
        self.calls.append(f"group_members:{group}")
        return set(self.members)

    async def user_exists(self, username: str) -> str | None:
        return username


@dataclass
class Program:
    """The services of one test, on one database, with their fakes."""

    settings: Settings
    uow: Callable[[], UnitOfWork]
    clock: FakeClock
    signal: Signal
    forum_port: Forum
    roles: Roles
    applications: ApplicationService
    linking: LinkingService
    badges: BadgeService
    forum: ForumService
    sync: SyncService
    reminders: ReminderService
    onboarding: OnboardingService
    nominations: NominationService
    lifecycle: LifecycleService
    audit_log: AuditService

    async def outbox(self, prefix: str = "") -> list[tuple[str, str, dict[str, Any]]]:
        """(key, kind, payload) of every outbox row, oldest first."""
        async with self.uow() as uow:
            rows = await uow.outbox.with_key_prefix(prefix)
            return [(r.key, r.kind, dict(r.payload)) for r in sorted(rows, key=lambda r: r.id)]

    async def kinds(self, prefix: str = "") -> list[str]:
        return [kind for _key, kind, _payload in await self.outbox(prefix)]

    async def audit(self) -> list[str]:
        """The audit log's actions, oldest first."""
        async with self.uow() as uow:
            return [e.action for e in reversed(await uow.audit.latest(1000))]

    async def ambassador(self, slack_user: str, forum_username: str, *, linked: bool = True) -> int:
        """Apply, link (by a moderator) and approve: an active ambassador, as the program makes one.
        Returns the application id."""
        submitted = await self.applications.submit(
            slack_user, {**APPLICATION, "forum_username": forum_username}, display_name=forum_username
        )
        if linked:
            await self.linking.link_by_moderator(MOD, slack_user, forum_username)
        await self.applications.approve(submitted.application_id, MOD)
        return submitted.application_id


def build_program(settings: Settings, uow: Callable[[], UnitOfWork], clock: FakeClock) -> Program:
    """The services, wired as `bot/runtime.py` wires them (a fake forum and signal for the ports)."""
    signal, forum = Signal(), Forum()
    roles = Roles(settings.slack.moderators)
    deps = ServiceDeps(uow, settings, roles, clock, signal)
    return Program(
        settings,
        uow,
        clock,
        signal,
        forum,
        roles,
        applications=ApplicationService(deps),
        linking=LinkingService(deps),
        badges=BadgeService(deps, forum),
        forum=ForumService(deps, forum),
        sync=SyncService(deps, forum),
        reminders=ReminderService(deps),
        onboarding=OnboardingService(deps),
        nominations=NominationService(deps),
        lifecycle=LifecycleService(deps),
        audit_log=AuditService(deps),
    )


@pytest.fixture
def program_overrides() -> dict[str, Any]:
    """Settings sections a test module changes (override this fixture in the module)."""
    return {}


@pytest.fixture
async def program(db_url: str, program_overrides: dict[str, Any]) -> AsyncIterator[Program]:
    engine = make_engine(db_url)
    await upgrade(engine)
    settings = harness_settings(db_url, "https://slack.test", FORUM_URL, **program_overrides)
    try:
        yield build_program(settings, UnitOfWorkFactory(make_sessionmaker(engine)), FakeClock(START))
    finally:
        await engine.dispose()
