"""The periodic sweep: everything that is due (event reminders, booking reminders, renewal
reminders, lapses, onboarding nudges, the weekly digest) is decided exactly once.

The database owns what is due. Each reminder has a unique key (what, occurrence, offset,
recipient); deciding it — sent or skipped — inserts that key in the same transaction as the outbox
row that delivers it. A second sweep, a restarted bot or another replica finds the key and moves
on. A reminder found late (the bot was down) is still sent within the grace period, and never once
its moment has passed; otherwise it is recorded as skipped.

Each feature finds its own due reminders (a `DueFinder`, bot/program/reminders/due.py); this core
only decides them.
"""

from __future__ import annotations

import collections
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.program.events.reminders import booking_reminders, event_reminders
from bot.program.permissions import ServiceDeps
from bot.program.reminders.digest import weekly_digest
from bot.program.reminders.due import Due, DueFinder, Reading, run_together
from bot.program.terms.lapses import lapses
from bot.program.terms.reminders import onboarding_nudges, renewal_reminders
from storage.enums import ReminderStatus

log = logging.getLogger("ambassador_bot.reminders")

# In this order, each in its own try: one failing kind must not stop the program's other clocks.
FINDERS: tuple[DueFinder, ...] = (
    event_reminders,
    booking_reminders,
    renewal_reminders,
    lapses,
    onboarding_nudges,
    weekly_digest,
)
# Reminders of a moment (an event, a booking) are only worth it close to their time; the others
# (renewal, nudge, digest, lapse) stay worth sending until their deadline.
OF_A_MOMENT = frozenset({"event", "booking"})
# Reminders decided per transaction (`_decide_batch`). A batch holds the event loop while SQLite
# writes it: 50 held it up to 64 ms, long enough for the DMs already going out to bunch at Slack.
BATCH = 20


@dataclass
class SweepResult:
    sent: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def add(self, key: str, sent: bool) -> None:
        (self.sent if sent else self.skipped).append(key)


class ReminderService:
    def __init__(self, deps: ServiceDeps, finders: Sequence[DueFinder] = FINDERS) -> None:
        self._uow = deps.uow
        self._settings = deps.settings
        self._clock = deps.clock
        self._signal = deps.signal
        self._finders = tuple(finders)
        # The first sweep of a process looks at every term, the next ones only at what is due.
        self._looked_at_every_term = False
        # Reminders this process decided, by (kind, "sent" or "skipped"): what /metrics counts.
        self.decided: collections.Counter[tuple[str, str]] = collections.Counter()

    async def sweep(self) -> SweepResult:
        now = self._clock.now()
        result = SweepResult()
        reading = Reading(self._uow, self._settings, every=not self._looked_at_every_term)
        for finder in self._finders:
            try:
                batch: list[Due] = []
                async for due in finder(reading, now):
                    batch.append(due)
                    if len(batch) >= BATCH:
                        await self._decide_batch(batch, now, result)
                        batch = []
                if batch:
                    await self._decide_batch(batch, now, result)
            except Exception as err:  # one failing kind must not stop the program's other clocks
                log.error("sweep step %s failed: %s", finder.__name__, type(err).__name__)
        self._looked_at_every_term = True
        if result.sent:
            self._signal.kick()
        return result

    async def _decide_batch(self, dues: list[Due], now: datetime, result: SweepResult) -> None:
        """Up to BATCH reminders in one transaction: their keys claimed in one statement, the
        claimed ones queued together (`run_together`: one INSERT for the batch's DMs), then the
        settles together. If any of them fails, the whole transaction rolls back and each is
        decided on its own, so one bad reminder still stops none of the others.
        The outbox is woken after each batch that queued something, so the first reminders are on
        their way while the sweep goes on deciding the rest."""
        if len(dues) == 1:
            await self._decide(dues[0], now, result)
            return
        decided: list[tuple[Due, bool, ReminderStatus]] = []
        try:
            async with self._uow() as uow:
                verdicts: dict[str, tuple[Due, bool, ReminderStatus]] = {}
                for due in dues:  # a key found twice in one batch is decided once, by its first
                    worth_sending = self._worth_sending(due, now)
                    status = ReminderStatus.SENT if worth_sending else ReminderStatus.SKIPPED
                    verdicts.setdefault(due.key, (due, worth_sending, status))
                claimed = await uow.calendar.claim_reminders(
                    [
                        {
                            "key": key,
                            "kind": due.kind,
                            "status": status,
                            "due_at": due.due_at,
                            "decided_at": now,
                            "detail": due.detail,
                        }
                        for key, (due, _worth, status) in verdicts.items()
                    ]
                )
                for due in dues:
                    verdict = verdicts.get(due.key)
                    if due.key in claimed and verdict is not None and verdict[0] is due:
                        decided.append(verdict)
                # Sends of one kind go together (all the batch's DMs in one INSERT), then the
                # settles (each term's or series' moment moved on in one UPDATE).
                await run_together(uow, [due.send for due, worth, _status in decided if worth])
                await run_together(uow, [due.settle for due in dues if due.settle is not None])
        except Exception:  # rolled back as a whole: decide them one by one (each its own transaction)
            for due in dues:
                await self._decide(due, now, result)
            return
        for due, worth_sending, status in decided:
            self._record(due, worth_sending, status, now, result)
        if any(worth for _due, worth, _status in decided):
            self._signal.kick()

    def _worth_sending(self, due: Due, now: datetime) -> bool:
        grace = timedelta(minutes=self._settings.reminders.grace_minutes)
        timely = due.kind not in OF_A_MOMENT or now - due.due_at <= grace
        return now < due.deadline and timely and not due.superseded

    async def _decide(self, due: Due, now: datetime, result: SweepResult) -> None:
        """One reminder, one transaction: claim its key and queue its delivery, or record a skip."""
        worth_sending = self._worth_sending(due, now)
        status = ReminderStatus.SENT if worth_sending else ReminderStatus.SKIPPED
        try:
            async with self._uow() as uow:
                # Another sweep (or replica) may have decided it a moment ago: then only settle.
                claimed = not await uow.calendar.reminder_exists(
                    due.key
                ) and await uow.calendar.claim_reminder(
                    due.key, due.kind, status, due.due_at, now, due.detail
                )
                if claimed and worth_sending:
                    await due.send(uow)
                if due.settle is not None:
                    await due.settle(uow)
            if not claimed:
                return
        except Exception as err:  # rolled back; every other reminder, renewal and lapse goes on
            log.error("reminder %s failed, tried again next sweep: %s", due.key, type(err).__name__)
            return
        self._record(due, worth_sending, status, now, result)

    def _record(
        self, due: Due, worth_sending: bool, status: ReminderStatus, now: datetime, result: SweepResult
    ) -> None:
        result.add(due.key, worth_sending)
        self.decided[due.kind, status] += 1
        if not worth_sending:
            log.info("reminder %s skipped: found %s after it was due", due.key, now - due.due_at)
