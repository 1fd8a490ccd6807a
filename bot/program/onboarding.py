"""Onboarding checklist steps a person completes themselves (by a button)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.program.errors import Conflict, NotFound
from bot.program.ports import Clock
from storage.uow import UnitOfWork


@dataclass(frozen=True)
class StepResult:
    key: str
    title: str
    newly_completed: bool
    remaining: int


class OnboardingService:
    def __init__(self, uow: Callable[[], UnitOfWork], clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def complete_by_button(self, slack_user_id: str, key: str) -> StepResult:
        now = self._clock.now()
        async with self._uow() as uow:
            person = await uow.people.by_slack_id(slack_user_id)
            amb = await uow.ambassadors.for_person(person.id) if person else None
            if person is None or amb is None or amb.status != "active":
                raise NotFound("You are not an active ambassador, so there is no checklist to tick.")
            steps = {s.key: s for s in await uow.onboarding.steps(amb.id)}
            step = steps.get(key)
            if step is None:
                raise NotFound(f"There is no onboarding step called {key!r}.")
            if step.completes != "button":
                raise Conflict(f"“{step.title}” is completed by the bot or a moderator, not by a button.")
            newly = await uow.onboarding.complete(amb.id, key, slack_user_id, now)
            if newly:
                await uow.audit.record(
                    at=now,
                    actor=slack_user_id,
                    platform="slack",
                    action="onboarding.step_completed",
                    subject_type="person",
                    subject_id=person.id,
                    after={"step": key},
                )
            remaining = sum(1 for s in steps.values() if s.completed_at is None and s.key != key)
            return StepResult(key, step.title, newly, remaining)
