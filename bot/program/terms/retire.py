"""Stepping down: an active ambassador ends their own term and becomes an alumnus."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.program import home, outbox
from bot.program.errors import Conflict, NotFound
from bot.program.permissions import GuardedService
from bot.program.terms.ending import record_term_end, remove_from_forum
from bot.program.terms.messages import SteppedDown
from storage.enums import BADGE_HELD, AmbassadorStatus, Platform
from storage.uow import UnitOfWork


@dataclass(frozen=True)
class RetirePrompt:
    ambassador_id: int
    term_start: datetime
    term_end: datetime


@dataclass(frozen=True)
class Retired:
    ambassador_id: int
    forum_actions: int  # badge revocations and group removals queued


class LifecycleService(GuardedService):
    async def retire_prompt(self, slack_user_id: str) -> RetirePrompt:
        """What the confirmation asks about; refuses when there is no active term to end."""
        async with self._uow() as uow:
            person = await uow.people.by_slack_id(slack_user_id)
            amb = await uow.lifecycle.ambassador(person.id) if person else None
            if amb is None or amb.status != AmbassadorStatus.ACTIVE:
                raise NotFound("You are not an active ambassador, so there is no term to end.")
            return RetirePrompt(amb.id, amb.term_start, amb.term_end)

    async def retire(self, slack_user_id: str, ambassador_id: int) -> Retired:
        now = self._clock.now()
        async with self._uow() as uow:
            person = await uow.people.by_slack_id(slack_user_id)
            amb = await uow.lifecycle.ambassador(person.id) if person else None
            if person is None or amb is None or amb.id != ambassador_id:
                raise NotFound("That button is not yours or is out of date; nothing was changed.")
            if amb.status != AmbassadorStatus.ACTIVE or not await uow.lifecycle.end_term(amb.id, now):
                raise Conflict("Your term has already ended; you are an alumnus of the program.")
            action = "ambassador.stepped_down"
            await record_term_end(
                uow, now, slack_user_id, Platform.SLACK, action, person.id, amb.term_end, now
            )
            key = f"retire:{amb.id}:{int(now.timestamp() * 1000)}"
            person_id = person.id

            async def held_badges(uow: UnitOfWork, badge_id: int) -> list[tuple[str, dict[str, object]]]:
                # Every grant still held is revoked; without one on record, the badge by its id.
                grants = [
                    g.id
                    for g in await uow.badges.for_person(person_id)
                    if g.badge_id == badge_id and g.status in BADGE_HELD
                ]
                found: list[dict[str, object]] = [{"grant_id": g} for g in grants] or [{}]
                return [(f"{key}:badge:{n}", grant) for n, grant in enumerate(found)]

            d = self._settings.discourse
            forum_actions = await remove_from_forum(uow, d, key, person.forum_username, held_badges, now)
            told = SteppedDown(slack_user_id, person.display_name, amb.term_start, person.forum_username)
            await outbox.post(uow, f"{key}:moderators", self._settings.slack.moderator_channel, told, now)
            await home.queue_refresh(uow, self._settings, self._roles, slack_user_id, now)
            result = Retired(amb.id, forum_actions)
        self._signal.kick()
        return result
