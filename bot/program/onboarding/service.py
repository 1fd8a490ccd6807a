"""`OnboardingService`: steps ticked by a button, by the bot seeing something happen (event), or by
a moderator; the checklist itself, and who is stuck."""

from __future__ import annotations

from bot.program.errors import Conflict, NotFound
from bot.program.onboarding.steps import (
    HOW,
    Checklist,
    ChecklistStep,
    StepResult,
    StuckEntry,
    StuckReport,
    active_ambassador,
    complete_in,
)
from bot.program.permissions import GuardedService, Permission, Subject
from storage.enums import Platform
from storage.models import Ambassador, Person
from storage.uow import UnitOfWork

STUCK_SHOWN = 25


class OnboardingService(GuardedService):
    async def _active(
        self, uow: UnitOfWork, slack_user_id: str, who: str, missing: str = "no onboarding checklist"
    ) -> tuple[Person, Ambassador]:
        person = await uow.people.by_slack_id(slack_user_id)
        amb = await active_ambassador(uow, person)
        if person is None or amb is None:
            raise NotFound(f"{who} not an active ambassador, so there is {missing}.")
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

    async def _tick_for(
        self, slack_user_id: str, key: str, by: str, allowed: str, who: str, missing: str
    ) -> StepResult:
        """Tick a step of an active ambassador's checklist, by a button or by a moderator."""
        async with self._uow() as uow:
            person, amb = await self._active(uow, slack_user_id, who, missing)
            result = await self._tick(uow, person, amb, key, by, Platform.SLACK, allowed)
        self._signal.kick()
        return result

    async def complete_by_button(self, slack_user_id: str, key: str) -> StepResult:
        return await self._tick_for(
            slack_user_id, key, slack_user_id, "button", "You are", "no checklist to tick"
        )

    async def complete_step(self, person_id: int, key: str, by: str, platform: str) -> StepResult | None:
        """Tick a step the bot saw happen (e.g. the forum intro post). For the platform handlers.

        Returns None when the person is not an active ambassador or has no such step; otherwise
        the result (`newly_completed` is False when it was done already). Never raises for that.
        """
        async with self._uow() as uow:
            person = await uow.people.get(person_id)
            amb = await active_ambassador(uow, person)
            if person is None or amb is None:
                return None
            try:
                result = await self._tick(uow, person, amb, key, by, platform, None)
            except NotFound:
                return None
        self._signal.kick()
        return result

    async def complete_by_moderator(self, moderator: str, slack_user_id: str, key: str) -> StepResult:
        await self._guard.require(moderator, Permission.ONBOARDING_TICK, Subject(slack_user_id))
        who = f"<@{slack_user_id}> is"
        return await self._tick_for(
            slack_user_id, key, moderator, "moderator", who, "no onboarding checklist"
        )

    async def checklist(self, actor: str, slack_user_id: str | None = None) -> Checklist:
        target = slack_user_id or actor
        if target != actor:
            await self._guard.require(actor, Permission.ONBOARDING_VIEW, Subject(target))
        who = "You are" if target == actor else f"<@{target}> is"
        links = {s.key: s.link for s in self._settings.program.onboarding}
        moderator = await self._guard.allows(actor, Permission.ONBOARDING_TICK)  # offers Done buttons
        async with self._uow() as uow:
            person, amb = await self._active(uow, target, who)
            steps = tuple(
                ChecklistStep(
                    s.key,
                    s.title,
                    s.completes,
                    s.completed_at is not None,
                    s.completed_at,
                    s.completed_by,
                    links.get(s.key, ""),
                )
                for s in await uow.lifecycle.steps(amb.id)
            )
            return Checklist(target, person.display_name, amb.term_start, steps, moderator)

    async def stuck(self, actor: str, limit: int = STUCK_SHOWN) -> StuckReport:
        await self._guard.require(actor, Permission.ONBOARDING_STUCK, Subject("onboarding_stuck"))
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
