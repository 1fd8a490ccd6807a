"""The sweep's due-finder of lapses: a term past its end and the grace period without a renewal
moves its ambassador to alumni, takes the forum badge and group away and tells the moderators.
Only terms whose next due moment (`term_due_at`) has come are read: after its last renewal reminder
a term's moment is its lapse."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta

from bot.config import Settings
from bot.program import outbox
from bot.program.messages import Notice
from bot.program.reminders.due import FOREVER, Due, Reading, Send
from bot.program.terms.ending import record_term_end, remove_from_forum
from storage.enums import AmbassadorStatus, Platform
from storage.models import Person
from storage.uow import UnitOfWork


async def lapses(reading: Reading, now: datetime) -> AsyncIterator[Due]:
    grace = timedelta(days=reading.settings.renewals.grace_days)
    # The terms whose next moment has come (indexed); of those, the ones past their end and grace.
    due = await reading.shared("terms due", lambda uow: uow.terms.due("term", now, reading.every))
    for amb, person in (t for t in due if t[0].term_end <= now - grace):
        key = f"lapse:{amb.id}:{amb.term_end:%Y%m%d}"
        send = _lapse(reading.settings, key, amb.id, person, now)
        # A lapse is never "too late": its deadline is far in the future.
        yield Due(key, "lapse", now, now + FOREVER, send, {"person": person.id})


def _lapse(settings: Settings, key: str, amb_id: int, person: Person, now: datetime) -> Send:
    async def open_grant(uow: UnitOfWork, badge_id: int) -> list[tuple[str, dict[str, object]]]:
        grant = await uow.forum.open_grant(person.id, badge_id)
        return [(f"{key}:badge", {"grant_id": grant.id if grant else None})]

    async def send(uow: UnitOfWork) -> None:
        row = await uow.ambassadors.for_person(person.id)
        if row is None or row.status != AmbassadorStatus.ACTIVE or row.id != amb_id:
            return
        row.status = AmbassadorStatus.ALUMNI
        await record_term_end(
            uow, now, "scheduler", Platform.BOT, "ambassador.lapsed", person.id, row.term_end
        )
        await remove_from_forum(uow, settings.discourse, key, person.forum_username, open_grant, now)
        channel = settings.slack.moderator_channel
        if channel:
            who = f"<@{person.slack_user_id}>" if person.slack_user_id else person.display_name
            text = (
                f"{who}'s ambassador term ended on {row.term_end:%Y-%m-%d} without renewal: moved to "
                "alumni; badge and group membership are being removed."
            )
            await outbox.post(uow, f"{key}:moderators", channel, Notice(text), now)

    return send
