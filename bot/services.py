"""The service objects handed to every handler (built once per process in the lifespan)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.config import Settings
from bot.program.applications import ApplicationService
from bot.program.forum import ForumService
from bot.program.inbound import InboundEvents
from bot.program.onboarding import OnboardingService
from bot.program.roles import Roles


@dataclass(frozen=True)
class Services:
    settings: Settings
    roles: Roles
    applications: ApplicationService
    onboarding: OnboardingService
    inbound: InboundEvents
    forum: ForumService
