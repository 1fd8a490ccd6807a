"""The sweep's due-finders of terms: renewal reminders ahead of a term's end (found late, only the
most recent due one goes out) and the onboarding nudge some days into a new term while steps are
still open."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta

from bot.program.reminders.due import FOREVER, Due, Reading, dm
from bot.program.terms.messages import NudgeStep, OnboardingNudge, RenewalReminder


async def renewal_reminders(reading: Reading, now: datetime) -> AsyncIterator[Due]:
    settings = reading.settings
    days = sorted(set(settings.renewals.reminder_days), reverse=True)
    if not days:
        return
    terms = await reading.read(lambda uow: uow.terms.active(ending_before=now + timedelta(days=max(days))))
    # Only the offsets already due are looked up; a repeat sweep skips decided ones in one query.
    keys = [
        f"renewal:{a.id}:{a.term_end:%Y%m%d}:{d}"
        for a, _p in terms
        for d in days
        if a.term_end - timedelta(days=d) <= now
    ]
    todo = await reading.undecided(keys)
    if not todo:
        return
    renewing = await reading.read(lambda uow: uow.terms.pending_applicants())
    for amb, person in terms:
        if not person.slack_user_id or person.id in renewing:
            continue  # no Slack account, or already renewing
        due_days = [d for d in days if amb.term_end - timedelta(days=d) <= now]
        for d in due_days:
            key = f"renewal:{amb.id}:{amb.term_end:%Y%m%d}:{d}"
            if key not in todo:
                continue
            # Found late (the bot was down): only the most recent of the due reminders goes out.
            superseded = d != min(due_days)
            message = RenewalReminder(person.display_name, amb.term_end, d, settings.program.name)
            # A renewal reminder stays worth sending until the term ends.
            yield Due(
                key,
                "renewal",
                amb.term_end - timedelta(days=d),
                amb.term_end,
                dm(key, person.slack_user_id, message, now),
                {"days": d, "superseded": superseded},
                superseded,
            )


async def onboarding_nudges(reading: Reading, now: datetime) -> AsyncIterator[Due]:
    after = timedelta(days=reading.settings.reminders.nudge_after_days)
    # Keys first, from two columns; whole rows only for the undecided.
    starts = await reading.read(lambda uow: uow.terms.active_starts(now - after))
    todo = await reading.undecided([f"nudge:{i}:{start:%Y%m%d}" for i, start in starts.items()])
    if not todo:
        return
    wanted = {int(key.split(":")[1]) for key in todo}
    terms = await reading.read(lambda uow: uow.terms.active(started_before=now - after, ids=wanted))
    candidates = [
        (amb, person)
        for amb, person in terms
        if person.slack_user_id and f"nudge:{amb.id}:{amb.term_start:%Y%m%d}" in todo
    ]
    if not candidates:
        return
    open_steps = await reading.read(lambda uow: uow.onboarding.unfinished([a.id for a, _p in candidates]))
    for amb, person in candidates:
        steps = open_steps.get(amb.id, [])
        if not person.slack_user_id or not steps:
            continue
        key = f"nudge:{amb.id}:{amb.term_start:%Y%m%d}"
        message = OnboardingNudge(person.display_name, tuple(NudgeStep(s.title, s.key) for s in steps))
        send = dm(key, person.slack_user_id, message, now)
        detail = {"steps": [s.key for s in steps]}
        yield Due(key, "nudge", amb.term_start + after, now + FOREVER, send, detail)
