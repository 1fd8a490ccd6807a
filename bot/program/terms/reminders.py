"""The sweep's due-finders of terms: renewal reminders ahead of a term's end (found late, only the
most recent due one goes out) and the onboarding nudge some days into a new term while steps are
still open.

Each reads only the terms whose next due moment has come (`uow.terms.due`, an indexed column), and
moves that moment on once what was due is decided: to the term's next renewal reminder, then to its
lapse (the end and the grace period, which `lapses` reads); a nudge's moment is cleared once the
nudge is decided or there is nothing left to nudge about."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.program.reminders.due import FOREVER, Batchable, Due, Reading, dm
from bot.program.terms.messages import NudgeStep, OnboardingNudge, RenewalReminder
from storage.models import Ambassador
from storage.uow import UnitOfWork

# Terms looked at per step of the renewal finder (bot/program/terms/reminders.py).
CHUNK = 100


def next_term_due(amb: Ambassador, days: Sequence[int], grace: timedelta, now: datetime) -> datetime:
    """The term's next moment after `now`: its next renewal reminder, or else its lapse (which may
    have come already: then the term stays due until `lapses` has moved it to alumni)."""
    ahead = [amb.term_end - timedelta(days=d) for d in days if amb.term_end - timedelta(days=d) > now]
    return min(ahead, default=amb.term_end + grace)


@dataclass(frozen=True, eq=False)
class _SettleTerm(Batchable):
    """Once every due renewal key of the term is decided, move its moment on (in the deciding
    transaction: a reminder that failed leaves the term due, to be tried again). A batch of them
    is one look-up of the keys and one UPDATE."""

    amb: Ambassador
    keys: tuple[str, ...]
    then: datetime

    @classmethod
    async def run_all(cls, uow: UnitOfWork, items: Sequence[_SettleTerm]) -> None:
        decided = await uow.calendar.decided([k for item in items for k in item.keys])
        moves = [(item.amb, item.then) for item in items if decided.issuperset(item.keys)]
        await uow.terms.advance("term", moves)


async def renewal_reminders(reading: Reading, now: datetime) -> AsyncIterator[Due]:
    settings = reading.settings
    days = sorted(set(settings.renewals.reminder_days), reverse=True)
    grace = timedelta(days=settings.renewals.grace_days)
    terms = await reading.shared("terms due", lambda uow: uow.terms.due("term", now, reading.every))
    if not terms:
        return

    def due_days(amb: Ambassador) -> list[int]:
        return [d for d in days if amb.term_end - timedelta(days=d) <= now]

    def key(amb: Ambassador, d: int) -> str:
        return f"renewal:{amb.id}:{amb.term_end:%Y%m%d}:{d}"

    moves: list[tuple[Ambassador, datetime | None]] = []
    renewing: set[int] | None = None
    # A chunk of terms at a time, so the first reminders are decided (and on their way) while the
    # rest are still being looked at; only the offsets already due are looked up, one query a chunk.
    for start in range(0, len(terms), CHUNK):
        chunk = terms[start : start + CHUNK]
        todo = await reading.undecided([key(a, d) for a, _p in chunk for d in due_days(a)])
        if todo and renewing is None:
            renewing = await reading.read(lambda uow: uow.terms.pending_applicants())
        found: list[Due] = []
        for amb, person in chunk:
            then = next_term_due(amb, days, grace, now)
            keys = [key(amb, d) for d in due_days(amb)]
            if not any(k in todo for k in keys):
                if then != amb.term_due_at:
                    moves.append((amb, then))
                continue
            if not person.slack_user_id or person.id in (renewing or set()):
                continue  # no Slack account, or already renewing: looked at again next sweep
            settle = _SettleTerm(amb, tuple(keys), then)
            current = min(due_days(amb))
            for d in due_days(amb):
                if key(amb, d) not in todo:
                    continue
                # Found late (the bot was down): only the most recent of the due reminders goes out.
                superseded = d != current
                message = RenewalReminder(person.display_name, amb.term_end, d, settings.program.name)
                # A renewal reminder stays worth sending until the term ends.
                found.append(
                    Due(
                        key(amb, d),
                        "renewal",
                        amb.term_end - timedelta(days=d),
                        amb.term_end,
                        dm(key(amb, d), person.slack_user_id, message, now),
                        {"days": d, "superseded": superseded},
                        superseded,
                        settle,
                    )
                )
        for due in found:
            yield due
    if moves:
        await reading.write(lambda uow: uow.terms.advance("term", moves))


@dataclass(frozen=True, eq=False)
class _SettleNudge(Batchable):
    """Once the nudge is decided its moment is cleared (a batch: one UPDATE)."""

    amb: Ambassador

    @classmethod
    async def run_all(cls, uow: UnitOfWork, items: Sequence[_SettleNudge]) -> None:
        await uow.terms.advance("nudge", [(item.amb, None) for item in items])


async def onboarding_nudges(reading: Reading, now: datetime) -> AsyncIterator[Due]:
    after = timedelta(days=reading.settings.reminders.nudge_after_days)
    terms = await reading.read(lambda uow: uow.terms.due("nudge", now, reading.every))
    if not terms:
        return

    def key(amb: Ambassador) -> str:
        return f"nudge:{amb.id}:{amb.term_start:%Y%m%d}"

    due_now = [(a, p) for a, p in terms if a.term_start + after <= now]
    todo = await reading.undecided([key(a) for a, _p in due_now])
    asking = [a.id for a, p in due_now if p.slack_user_id and key(a) in todo]
    open_steps = await reading.read(lambda uow: uow.onboarding.unfinished(asking)) if asking else {}
    moves: list[tuple[Ambassador, datetime | None]] = []
    found: list[Due] = []
    for amb, person in terms:
        due = amb.term_start + after
        if due > now:
            if due != amb.nudge_due_at:
                moves.append((amb, due))  # not yet: looked at again when it is due
            continue
        if key(amb) not in todo:
            if amb.nudge_due_at is not None:
                moves.append((amb, None))  # decided already
            continue
        if not person.slack_user_id:
            continue  # no Slack account (yet): looked at again next sweep
        steps = open_steps.get(amb.id, [])
        if not steps:
            if amb.nudge_due_at is not None:
                moves.append((amb, None))  # onboarding done: nothing to nudge about
            continue
        message = OnboardingNudge(person.display_name, tuple(NudgeStep(s.title, s.key) for s in steps))
        send = dm(key(amb), person.slack_user_id, message, now)
        detail = {"steps": [s.key for s in steps]}
        found.append(Due(key(amb), "nudge", due, now + FOREVER, send, detail, settle=_SettleNudge(amb)))
    if moves:
        await reading.write(lambda uow: uow.terms.advance("nudge", moves))
    for found_due in found:
        yield found_due
