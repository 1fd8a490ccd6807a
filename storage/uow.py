"""Unit of work: one AsyncSession and one transaction, with the repositories bound to it."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.backup import BackupRepo
from storage.events import CalendarRepo
from storage.forum import BadgeRepo, ForumRepo
from storage.groups import GroupRepo
from storage.lifecycle import LifecycleRepo
from storage.linking import LinkCodeRepo
from storage.nominations import NominationRepo
from storage.privacy import PrivacyRepo
from storage.profiles import ProfileRepo
from storage.public import PublicRepo
from storage.reports import ExportRepo, ReportRepo
from storage.repositories import (
    AmbassadorRepo,
    ApplicationRepo,
    AuditRepo,
    DeliveryRepo,
    OnboardingRepo,
    OutboxRepo,
    PeopleRepo,
)
from storage.requests import RequestRepo
from storage.terms import TermRepo


class UnitOfWork:
    """`async with uow:` commits on success and rolls back on any exception."""

    session: AsyncSession
    people: PeopleRepo
    applications: ApplicationRepo
    ambassadors: AmbassadorRepo
    onboarding: OnboardingRepo
    badges: BadgeRepo
    outbox: OutboxRepo
    deliveries: DeliveryRepo  # inbound deliveries seen (webhook / job dedupe)
    audit: AuditRepo
    forum: ForumRepo
    groups: GroupRepo
    calendar: CalendarRepo  # meetups, office hours, bookings, reminders, feed tokens
    nominations: NominationRepo
    profiles: ProfileRepo
    link_codes: LinkCodeRepo
    lifecycle: LifecycleRepo
    requests: RequestRepo
    terms: TermRepo
    reports: ReportRepo
    exports: ExportRepo
    backup: BackupRepo
    privacy: PrivacyRepo
    public: PublicRepo  # what the public program pages read

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self._sessionmaker = sessionmaker
        self.outbox_written = False

    async def __aenter__(self) -> UnitOfWork:
        self.session = self._sessionmaker()
        await self.session.begin()
        s = self.session
        self.people = PeopleRepo(s)
        self.requests = RequestRepo(s)
        self.applications = ApplicationRepo(s)
        self.ambassadors = AmbassadorRepo(s)
        self.onboarding = OnboardingRepo(s)
        self.badges = BadgeRepo(s)
        self.outbox = OutboxRepo(s)
        self.deliveries = DeliveryRepo(s)
        self.nominations = NominationRepo(s)
        self.profiles = ProfileRepo(s)
        self.link_codes = LinkCodeRepo(s)
        self.lifecycle = LifecycleRepo(s)
        self.audit = AuditRepo(s)
        self.forum = ForumRepo(s)
        self.groups = GroupRepo(s)
        self.calendar = CalendarRepo(s)
        self.terms = TermRepo(s)
        self.reports = ReportRepo(s)
        self.exports = ExportRepo(s)
        self.backup = BackupRepo(s)
        self.privacy = PrivacyRepo(s)
        self.public = PublicRepo(s)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            if exc_type is None:
                await self.session.commit()
            else:
                await self.session.rollback()
        finally:
            await self.session.close()


class UnitOfWorkFactory:
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self.sessionmaker = sessionmaker

    def __call__(self) -> UnitOfWork:
        return UnitOfWork(self.sessionmaker)
