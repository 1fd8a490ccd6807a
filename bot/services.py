"""The service objects handed to every handler (built once per process in the lifespan)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.config import Settings
from bot.program.applications import ApplicationService
from bot.program.audit import AuditService
from bot.program.badges.forum import ForumService
from bot.program.badges.grants import BadgeService
from bot.program.badges.sync import SyncService
from bot.program.directory.service import ProfileService
from bot.program.events.calendar import CalendarService
from bot.program.events.service import EventService
from bot.program.groups import GroupService
from bot.program.home import HomeService
from bot.program.inbound import InboundEvents
from bot.program.linking.service import LinkingService
from bot.program.nominations import NominationService
from bot.program.onboarding.service import OnboardingService
from bot.program.reminders.sweep import ReminderService
from bot.program.reports.exports import ExportService
from bot.program.reports.report import ReportService
from bot.program.requests import RequestService
from bot.program.roles import Roles
from bot.program.terms.retire import LifecycleService


@dataclass(frozen=True)
class Services:
    settings: Settings
    roles: Roles
    applications: ApplicationService
    onboarding: OnboardingService
    inbound: InboundEvents
    forum: ForumService
    badges: BadgeService
    sync: SyncService
    events: EventService
    reminders: ReminderService
    calendar: CalendarService
    nominations: NominationService
    profiles: ProfileService
    linking: LinkingService
    lifecycle: LifecycleService
    audit: AuditService
    home: HomeService
    groups: GroupService
    requests: RequestService
    reports: ReportService
    exports: ExportService
