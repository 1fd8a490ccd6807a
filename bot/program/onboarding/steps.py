"""What an onboarding checklist and a ticked step look like; `active_ambassador`, whose checklist
it is; and `complete_in`: one step ticked inside the caller's unit of work (audited, the Home tab
refreshed after the commit)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.config import Settings
from bot.program import home
from bot.program.roles import Roles
from storage.enums import AmbassadorStatus, Platform
from storage.models import Ambassador, OnboardingStep, Person
from storage.uow import UnitOfWork

HOW = {
    "button": "press the button in your welcome message",
    "event": "the bot ticks this when it sees it done",
    "moderator": "a moderator will do this",
}


@dataclass(frozen=True)
class StepResult:
    key: str
    title: str
    newly_completed: bool
    remaining: int


@dataclass(frozen=True)
class ChecklistStep:
    key: str
    title: str
    completes: str
    done: bool
    completed_at: datetime | None
    completed_by: str | None
    link: str = ""  # where a step outside the bot is done (`[[program.onboarding]] link`)


@dataclass(frozen=True)
class Checklist:
    slack_user_id: str
    name: str
    term_start: datetime
    steps: tuple[ChecklistStep, ...]
    moderator_view: bool = False  # the viewer is a moderator: moderators' steps offer Done

    @property
    def done(self) -> int:
        return sum(1 for s in self.steps if s.done)


@dataclass(frozen=True)
class StuckEntry:
    slack_user_id: str | None
    name: str
    days_since_approval: int
    open_steps: tuple[str, ...]


@dataclass(frozen=True)
class StuckReport:
    entries: tuple[StuckEntry, ...]
    total: int


async def active_ambassador(uow: UnitOfWork, person: Person | None) -> Ambassador | None:
    """The person's ambassador record while their term is active (a checklist exists), else None."""
    amb = await uow.lifecycle.ambassador(person.id) if person is not None else None
    return amb if amb is not None and amb.status == AmbassadorStatus.ACTIVE else None


async def complete_in(
    uow: UnitOfWork,
    settings: Settings,
    roles: Roles,
    person: Person,
    amb: Ambassador,
    step: OnboardingStep,
    by: str,
    platform: str,
    now: datetime,
) -> bool:
    """Tick one step inside the caller's transaction: audit and Home refresh; False if already done."""
    if not await uow.onboarding.complete(amb.id, step.key, by, now):
        return False
    await uow.audit.record(
        at=now,
        actor=by,
        platform=platform,
        action="onboarding.step_completed",
        subject_type="person",
        subject_id=person.id,
        before={"step": step.key, "done": False},
        after={"step": step.key, "done": True},
    )
    await home.queue_refresh(uow, settings, roles, person.slack_user_id, now)
    return True


PROFILE_STEP = "profile"  # the onboarding step a saved directory profile ticks


async def tick_profile_step(
    uow: UnitOfWork, settings: Settings, roles: Roles, person: Person, by: str, now: datetime
) -> bool:
    """Tick the profile step of an active ambassador's checklist when the bot ticks it (`event`),
    it is still open and the person has a directory profile: on saving the profile, and at
    approval for a profile saved before. False when nothing was ticked."""
    amb = await active_ambassador(uow, person)
    if amb is None or await uow.profiles.for_person(person.id) is None:
        return False
    step = next((s for s in await uow.lifecycle.steps(amb.id) if s.key == PROFILE_STEP), None)
    if step is None or step.completes != "event" or step.completed_at is not None:
        return False
    return await complete_in(uow, settings, roles, person, amb, step, by, Platform.SLACK, now)
