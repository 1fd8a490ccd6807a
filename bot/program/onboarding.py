"""The onboarding checklist: steps ticked by a button, by the bot seeing something happen (event),
or by a moderator; the checklist itself, and who is stuck."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from bot.config import Settings
from bot.program import home
from bot.program.errors import Conflict, NotFound
from bot.program.permissions import require_moderator
from bot.program.ports import Clock, NoSignal, OutboxSignal
from bot.program.roles import Roles
from storage.enums import AmbassadorStatus, Platform
from storage.models import Ambassador, OnboardingStep, Person
from storage.uow import UnitOfWork

STUCK_SHOWN = 25

HOW = {
    "button": "press the button in your welcome message",
    "event": "the bot ticks this when it sees it done",
    "moderator": "a moderator ticks this",
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


@dataclass(frozen=True)
class Checklist:
    slack_user_id: str
    name: str
    term_start: datetime
    steps: tuple[ChecklistStep, ...]

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


class OnboardingService:
    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        clock: Clock,
        settings: Settings,
        roles: Roles,
        signal: OutboxSignal | None = None,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._settings = settings
        self._roles = roles
        self._signal = signal or NoSignal()

    async def _active(self, uow: UnitOfWork, slack_user_id: str, yours: bool) -> tuple[Person, Ambassador]:
        person = await uow.people.by_slack_id(slack_user_id)
        amb = await uow.lifecycle.ambassador(person.id) if person else None
        if person is None or amb is None or amb.status != AmbassadorStatus.ACTIVE:
            who = "You are" if yours else f"<@{slack_user_id}> is"
            raise NotFound(f"{who} not an active ambassador, so there is no onboarding checklist.")
        return person, amb

    async def _tick(
        self,
        uow: UnitOfWork,
        person: Person,
        amb: Ambassador,
        key: str,
        by: str,
        platform: str,
        allowed: str | None,
    ) -> StepResult:
        steps = {s.key: s for s in await uow.lifecycle.steps(amb.id)}
        step = steps.get(key)
        if step is None:
            known = ", ".join(f"`{k}`" for k in steps) or "none"
            raise NotFound(f"There is no onboarding step called {key[:40]!r}. Steps: {known}.")
        if allowed is not None and step.completes != allowed:
            if allowed == "button":
                raise Conflict(f"“{step.title}” is completed by the bot or a moderator, not by a button.")
            how = HOW.get(step.completes, step.completes)
            raise Conflict(f"“{step.title}” is not ticked by moderators: {how}.")
        now = self._clock.now()
        newly = await complete_in(uow, self._settings, self._roles, person, amb, step, by, platform, now)
        remaining = sum(1 for s in steps.values() if s.completed_at is None and s.key != key)
        return StepResult(key, step.title, newly, remaining)

    async def complete_by_button(self, slack_user_id: str, key: str) -> StepResult:
        async with self._uow() as uow:
            try:
                person, amb = await self._active(uow, slack_user_id, yours=True)
            except NotFound:
                raise NotFound(
                    "You are not an active ambassador, so there is no checklist to tick."
                ) from None
            result = await self._tick(uow, person, amb, key, slack_user_id, Platform.SLACK, "button")
        self._signal.kick()
        return result

    async def complete_step(self, person_id: int, key: str, by: str, platform: str) -> StepResult | None:
        """Tick a step the bot saw happen (e.g. the forum intro post). For the platform handlers.

        Returns None when the person is not an active ambassador or has no such step; otherwise
        the result (`newly_completed` is False when it was done already). Never raises for that.
        """
        async with self._uow() as uow:
            person = await uow.people.get(person_id)
            amb = await uow.lifecycle.ambassador(person_id) if person else None
            if person is None or amb is None or amb.status != AmbassadorStatus.ACTIVE:
                return None
            try:
                result = await self._tick(uow, person, amb, key, by, platform, None)
            except NotFound:
                return None
        self._signal.kick()
        return result

    async def complete_by_moderator(self, moderator: str, slack_user_id: str, key: str) -> StepResult:
        await require_moderator(
            self._uow,
            self._roles,
            self._clock,
            moderator,
            "onboarding.tick",
            "slack_user",
            slack_user_id,
            "Only moderators can tick onboarding steps for someone.",
        )
        async with self._uow() as uow:
            person, amb = await self._active(uow, slack_user_id, yours=False)
            result = await self._tick(uow, person, amb, key, moderator, Platform.SLACK, "moderator")
        self._signal.kick()
        return result

    async def checklist(self, actor: str, slack_user_id: str | None = None) -> Checklist:
        target = slack_user_id or actor
        if target != actor:
            await require_moderator(
                self._uow,
                self._roles,
                self._clock,
                actor,
                "onboarding.view",
                "slack_user",
                target,
                "Only moderators can see someone else's checklist.",
            )
        async with self._uow() as uow:
            person, amb = await self._active(uow, target, yours=target == actor)
            steps = tuple(
                ChecklistStep(
                    s.key, s.title, s.completes, s.completed_at is not None, s.completed_at, s.completed_by
                )
                for s in await uow.lifecycle.steps(amb.id)
            )
            return Checklist(target, person.display_name, amb.term_start, steps)

    async def stuck(self, actor: str, limit: int = STUCK_SHOWN) -> StuckReport:
        await require_moderator(
            self._uow,
            self._roles,
            self._clock,
            actor,
            "onboarding.stuck",
            "report",
            "onboarding_stuck",
            "Only moderators can see who is stuck in onboarding.",
        )
        now = self._clock.now()
        async with self._uow() as uow:
            rows, total = await uow.lifecycle.stuck(limit)
            entries = []
            for row in rows:
                open_titles = tuple(
                    s.title for s in await uow.lifecycle.steps(row.ambassador.id) if s.completed_at is None
                )
                entries.append(
                    StuckEntry(
                        row.person.slack_user_id,
                        row.person.display_name,
                        max(0, (now - row.ambassador.term_start).days),
                        open_titles,
                    )
                )
            return StuckReport(tuple(entries), total)
