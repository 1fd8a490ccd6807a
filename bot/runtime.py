"""Everything the running bot is made of, built once (in the ASGI lifespan) and closed once."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot import memory
from bot.config import Settings
from bot.platforms.budget import rate_budgets
from bot.platforms.discourse.deliverer import DiscourseDeliverer
from bot.platforms.discourse.gateway import DiscourseGateway, ForumLookups
from bot.platforms.outbox_outcomes import Deliverer
from bot.platforms.outbox_worker import OutboxWorker
from bot.platforms.slack.client import SlackPeopleLookup, SlackUsergroups, make_web_client
from bot.platforms.slack.deliverer import SlackDeliverer
from bot.platforms.slack.parse import Inbound
from bot.platforms.slack.socket import SocketMode
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
from bot.program.permissions import Guard, ServiceDeps
from bot.program.ports import Clock, SystemClock
from bot.program.public.directory import listed_ambassadors
from bot.program.public.forum_topic import DirectoryTopic
from bot.program.reminders.sweep import ReminderService
from bot.program.reports.exports import ExportService
from bot.program.reports.report import ReportService
from bot.program.requests import RequestService
from bot.program.roles import Roles
from bot.program.terms.retire import LifecycleService
from bot.program.text import plural
from bot.render.groups import JinjaRenderer
from bot.scheduler import Scheduler
from bot.services import Services
from bot.slack import build_bolt_app
from handlers.discourse.renderers import discourse_renderers
from handlers.slack.context import INBOUND_KEY, SERVICES_KEY
from handlers.slack.renderers import slack_renderers
from storage import migrate
from storage.db import CHECKPOINT_SECONDS, checkpoint, make_engine, make_sessionmaker
from storage.uow import UnitOfWorkFactory

log = logging.getLogger("ambassador_bot")


@dataclass
class Runtime:
    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    uow: UnitOfWorkFactory
    clock: Clock
    slack_client: AsyncWebClient
    bolt: AsyncApp
    discourse: DiscourseGateway | None
    worker: OutboxWorker
    services: Services
    scheduler: Scheduler
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    socket_mode: SocketMode | None = None  # Slack over Socket Mode (slack.app_token set)

    async def start(self, *, worker: bool = True) -> None:
        await self.services.events.sync_config()  # series defined in config.toml
        if self.socket_mode is not None:
            await self.socket_mode.start()  # AppTokenRefused (one line) when Slack says no
        if worker:
            self.tasks.append(asyncio.create_task(self.worker.run(), name="outbox-worker"))
        self.scheduler.start()

    async def close(self) -> None:
        """Graceful drain: nothing new is claimed, the delivery in hand may finish within
        `outbox.shutdown_grace_seconds`; one still running then is cancelled and its lease given
        back, so a restart retries it at once (checking first whether it landed)."""
        if self.socket_mode is not None:
            await self.socket_mode.close()  # no new envelopes; Slack redelivers un-acked ones
        self.worker.stop()
        await self.scheduler.stop(self.settings.outbox.shutdown_grace_seconds)
        if self.tasks:
            await asyncio.wait(self.tasks, timeout=self.settings.outbox.shutdown_grace_seconds)
        for task in self.tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        try:
            released = await self.worker.release_leases()
            if released:
                log.warning("shutdown: %s cut short; released for a retry", plural(released, "delivery"))
        except Exception as err:  # the database may be what is going away
            log.warning("shutdown: could not release outbox leases (%s)", type(err).__name__)
        await self.worker.close_deliverers()
        await self.engine.dispose()


async def build_runtime(
    settings: Settings, *, clock: Clock | None = None, auto_migrate: bool | None = None
) -> Runtime:
    clock = clock or SystemClock()
    engine = make_engine(settings.database.url)
    if auto_migrate if auto_migrate is not None else settings.database.is_sqlite:
        await migrate.upgrade_if_behind(engine)
    sm = make_sessionmaker(engine)
    uow = UnitOfWorkFactory(sm)
    slack_client = make_web_client(settings)
    discourse: DiscourseGateway | None = None
    d = settings.discourse
    # The platforms' limits: one budget for every replica on PostgreSQL, this process's on SQLite.
    budgets = rate_budgets(
        engine, settings.outbox.slack_workspace_posts_per_second, d.admin_requests_per_minute
    )
    deliverers: dict[str, Deliverer] = {
        "slack": SlackDeliverer(
            slack_client,
            slack_renderers(),  # the Block Kit renderers of every feature, an explicit registry
            settings.outbox.slack_posts_per_second,
            workspace_budget=budgets.slack_workspace,
        )
    }
    directory_topic = DirectoryTopic(uow, settings, clock, listed_ambassadors)  # discourse.directory_topic_id
    if d.enabled:
        discourse = DiscourseGateway(
            d.url,
            d.api_key,
            d.api_username,
            d.admin_requests_per_minute,
            d.timeout_seconds,
            budget=budgets.discourse_admin,
        )
        deliverers["discourse"] = DiscourseDeliverer(discourse, discourse_renderers(), directory_topic.post)
    worker = OutboxWorker(uow, deliverers, settings.outbox, clock)
    lookups = ForumLookups(discourse) if discourse else None
    roles = Roles(
        settings.slack.moderators, settings.slack.moderator_usergroup, SlackUsergroups(slack_client)
    )
    guard = Guard(uow, roles, clock, settings.groups.community_managers)  # decides every role
    deps = ServiceDeps(uow, settings, roles, clock, worker, guard)  # what every service is built from
    services = Services(
        settings=settings,
        roles=roles,
        applications=ApplicationService(deps),
        onboarding=OnboardingService(deps),
        inbound=InboundEvents(uow, clock),
        forum=ForumService(deps, lookups),
        badges=BadgeService(deps, lookups),
        sync=SyncService(deps, lookups),
        events=EventService(deps),
        reminders=ReminderService(deps),
        calendar=CalendarService(uow, clock),
        nominations=NominationService(
            deps, forum=lookups, forum_emails=lookups, slack_people=SlackPeopleLookup(slack_client)
        ),
        profiles=ProfileService(deps),
        linking=LinkingService(deps, forum=lookups),
        lifecycle=LifecycleService(deps),
        audit=AuditService(deps),
        home=HomeService(deps),
        groups=GroupService(deps, forum=lookups, renderer=JinjaRenderer()),
        requests=RequestService(deps),
        reports=ReportService(deps),
        exports=ExportService(deps),
    )
    scheduler = Scheduler(worker, settings.outbox.poll_seconds)
    scheduler.every("reminder-sweep", settings.reminders.sweep_seconds, services.reminders.sweep)
    if settings.database.is_sqlite:
        scheduler.every("sqlite-checkpoint", CHECKPOINT_SECONDS, lambda: checkpoint(engine))
    if memory.can_trim():
        scheduler.every("memory-trim", memory.TRIM_SECONDS, memory.release)
    if settings.groups.auto_approve_hours > 0:
        scheduler.every("group-auto-approve", 300, services.groups.auto_approve_due)
    if directory_topic.topic_id is not None:
        scheduler.every("directory-topic", directory_topic.sweep_seconds, directory_topic.sweep)
    if discourse is not None and d.sync_hour_utc >= 0:
        scheduler.daily("sync-discourse", d.sync_hour_utc, services.sync.run_nightly)
    bolt = build_bolt_app(settings, slack_client)
    return Runtime(
        socket_mode=_socket_mode(settings, bolt, slack_client, services),
        settings=settings,
        engine=engine,
        sessionmaker=sm,
        uow=uow,
        clock=clock,
        slack_client=slack_client,
        bolt=bolt,
        discourse=discourse,
        worker=worker,
        services=services,
        scheduler=scheduler,
    )


def _socket_mode(
    settings: Settings, bolt: AsyncApp, client: AsyncWebClient, services: Services
) -> SocketMode | None:
    """Socket Mode on the same Bolt app, handing listeners what bot.server hands them over HTTP."""
    if not settings.slack.socket_mode:
        return None

    def context_for(parsed: Inbound) -> dict[str, object]:
        return {SERVICES_KEY: services, INBOUND_KEY: parsed}

    async def first_time(envelope_id: str) -> bool:
        return await services.inbound.first_time("slack-envelope", envelope_id)

    return SocketMode(bolt, settings.slack.app_token, client, context_for, first_time)
