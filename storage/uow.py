"""Unit of work: one AsyncSession and one transaction, with the repositories bound to it."""

from __future__ import annotations

from types import TracebackType
from typing import Generic, TypeVar, overload

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
from storage.repository import Repository
from storage.requests import RequestRepo
from storage.terms import TermRepo

_R = TypeVar("_R", bound=Repository)


class _LazyRepository(Generic[_R]):
    """A repository of the unit of work, made on first use: a request that reads one table does
    not build the other twenty (a tenth of a millisecond per unit of work, on every request)."""

    def __init__(self, cls: type[_R]) -> None:
        self.cls = cls
        self.name = ""

    def __set_name__(self, owner: type[object], name: str) -> None:
        self.name = name

    @overload
    def __get__(self, obj: None, owner: type[object]) -> _LazyRepository[_R]: ...
    @overload
    def __get__(self, obj: UnitOfWork, owner: type[object]) -> _R: ...
    def __get__(self, obj: UnitOfWork | None, owner: type[object]) -> _R | _LazyRepository[_R]:
        if obj is None:
            return self
        repo = self.cls(obj.session)
        obj.__dict__[self.name] = repo  # found there from now on, without this call
        return repo


class UnitOfWork:
    """`async with uow:` commits on success and rolls back on any exception."""

    session: AsyncSession
    people = _LazyRepository(PeopleRepo)
    applications = _LazyRepository(ApplicationRepo)
    ambassadors = _LazyRepository(AmbassadorRepo)
    onboarding = _LazyRepository(OnboardingRepo)
    badges = _LazyRepository(BadgeRepo)
    outbox = _LazyRepository(OutboxRepo)
    deliveries = _LazyRepository(DeliveryRepo)  # inbound deliveries seen (webhook / job dedupe)
    audit = _LazyRepository(AuditRepo)
    forum = _LazyRepository(ForumRepo)
    groups = _LazyRepository(GroupRepo)
    calendar = _LazyRepository(CalendarRepo)  # meetups, office hours, bookings, reminders, feed tokens
    nominations = _LazyRepository(NominationRepo)
    profiles = _LazyRepository(ProfileRepo)
    link_codes = _LazyRepository(LinkCodeRepo)
    lifecycle = _LazyRepository(LifecycleRepo)
    requests = _LazyRepository(RequestRepo)
    terms = _LazyRepository(TermRepo)
    reports = _LazyRepository(ReportRepo)
    exports = _LazyRepository(ExportRepo)
    backup = _LazyRepository(BackupRepo)
    privacy = _LazyRepository(PrivacyRepo)
    public = _LazyRepository(PublicRepo)  # what the public program pages read

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self._sessionmaker = sessionmaker
        self.outbox_written = False

    async def __aenter__(self) -> UnitOfWork:
        for name in _REPOS:  # entered again: the repositories of the last session are gone
            self.__dict__.pop(name, None)
        self.session = self._sessionmaker()
        await self.session.begin()
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


_REPOS = tuple(name for name, value in vars(UnitOfWork).items() if isinstance(value, _LazyRepository))


class UnitOfWorkFactory:
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self.sessionmaker = sessionmaker

    def __call__(self) -> UnitOfWork:
        return UnitOfWork(self.sessionmaker)
