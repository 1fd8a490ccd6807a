"""Stepping down: an active ambassador ends their own term and becomes an alumnus."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.program import home, outbox
from bot.program.errors import Conflict, NotFound
from bot.program.permissions import GuardedService
from storage.enums import BADGE_HELD, AmbassadorStatus, Platform


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
        d = self._settings.discourse
        async with self._uow() as uow:
            person = await uow.people.by_slack_id(slack_user_id)
            amb = await uow.lifecycle.ambassador(person.id) if person else None
            if person is None or amb is None or amb.id != ambassador_id:
                raise NotFound("That button is not yours or is out of date; nothing was changed.")
            if amb.status != AmbassadorStatus.ACTIVE or not await uow.lifecycle.end_term(amb.id, now):
                raise Conflict("Your term has already ended; you are an alumnus of the program.")
            before = {"status": AmbassadorStatus.ACTIVE, "term_end": amb.term_end.isoformat()}
            await uow.audit.record(
                at=now,
                actor=slack_user_id,
                platform=Platform.SLACK,
                action="ambassador.stepped_down",
                subject_type="person",
                subject_id=person.id,
                before=before,
                after={"status": AmbassadorStatus.ALUMNI, "term_end": now.isoformat()},
            )
            key = f"retire:{amb.id}:{int(now.timestamp() * 1000)}"
            forum_actions = 0
            username = person.forum_username
            if d.enabled and username:
                if d.ambassador_badge_id is not None:
                    grants = [
                        g
                        for g in await uow.badges.for_person(person.id)
                        if g.badge_id == d.ambassador_badge_id and g.status in BADGE_HELD
                    ]
                    payloads: list[dict[str, object]] = [
                        {"username": username, "badge_id": d.ambassador_badge_id, "grant_id": g.id}
                        for g in grants
                    ] or [{"username": username, "badge_id": d.ambassador_badge_id}]
                    for n, payload in enumerate(payloads):
                        await outbox.queue(
                            uow, f"{key}:badge:{n}", outbox.DISCOURSE_REVOKE_BADGE, payload, now
                        )
                        forum_actions += 1
                if d.ambassador_group:
                    await outbox.queue(
                        uow,
                        f"{key}:group",
                        outbox.DISCOURSE_REMOVE_FROM_GROUP,
                        {"username": username, "group": d.ambassador_group},
                        now,
                    )
                    forum_actions += 1
            await outbox.queue(
                uow,
                f"{key}:moderators",
                outbox.SLACK_POST,
                {
                    "channel": self._settings.slack.moderator_channel,
                    "template": "stepped_down",
                    "data": {
                        "user": slack_user_id,
                        "name": person.display_name,
                        "term_start": amb.term_start.isoformat(),
                        "forum_username": username,
                    },
                },
                now,
            )
            await home.queue_refresh(uow, self._settings, self._roles, slack_user_id, now)
            result = Retired(amb.id, forum_actions)
        self._signal.kick()
        return result
