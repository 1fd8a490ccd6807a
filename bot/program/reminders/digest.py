"""The moderators' weekly digest: renewals coming up, recent lapses, unfinished onboarding and
applications waiting, posted once a week (late is better than never, until the next one is due)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta

from bot.config import Settings
from bot.program.messages import Notice
from bot.program.reminders.due import Due, Reading, post
from bot.program.text import plural
from storage.enums import ApplicationStatus
from storage.uow import UnitOfWork


def digest_due(settings: Settings, now: datetime) -> datetime:
    """When this week's digest is (or was) due: the configured weekday and hour, UTC."""
    r = settings.reminders
    monday = (now - timedelta(days=now.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
    due = monday + timedelta(days=r.digest_weekday, hours=r.digest_hour_utc)
    return due - timedelta(days=7) if due > now else due


async def weekly_digest(reading: Reading, now: datetime) -> AsyncIterator[Due]:
    channel = reading.settings.slack.moderator_channel
    if not channel:
        return
    due = digest_due(reading.settings, now)
    key = f"digest:{due:%G-W%V}"
    async with reading.uow() as uow:
        if await uow.calendar.reminder_exists(key):
            return
        text = await _digest_text(reading, uow, now)
    yield Due(key, "digest", due, due + timedelta(days=7), post(key, channel, Notice(text), now))


async def _digest_text(reading: Reading, uow: UnitOfWork, now: datetime) -> str:
    settings = reading.settings
    soon = now + timedelta(days=max(settings.renewals.reminder_days or (30,)))
    terms = await reading.read(lambda uow: uow.terms.active())
    due = sorted((a.term_end, p.display_name) for a, p in terms if a.term_end <= soon)
    pending = (await uow.applications.count_by_status()).get(ApplicationStatus.PENDING, 0)
    after = timedelta(days=settings.reminders.nudge_after_days)
    started = [amb.id for amb, _p in terms if amb.term_start + after <= now]
    stuck = len(await uow.onboarding.unfinished(started))
    week_ago = now - timedelta(days=7)
    lapsed = await uow.terms.lapsed_since(week_ago - timedelta(days=settings.renewals.grace_days))
    lines = [
        "Weekly digest for the moderators:",
        f"• Renewals due by {soon:%Y-%m-%d}: {len(due)}"
        + (": " + ", ".join(f"{n} ({t:%Y-%m-%d})" for t, n in due[:10]) if due else ""),
        f"• Lapsed recently: {len(lapsed)}",
        f"• Unfinished onboarding after {plural(settings.reminders.nudge_after_days, 'day')}: {stuck}",
        f"• Applications waiting for review: {pending}",
    ]
    return "\n".join(lines)
