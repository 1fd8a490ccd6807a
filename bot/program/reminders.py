"""The periodic sweep: everything that is due (event reminders, booking reminders, renewal
reminders, lapses, onboarding nudges, the weekly digest) is decided exactly once.

The database owns what is due. Each reminder has a unique key (what, occurrence, offset,
recipient); deciding it — sent or skipped — inserts that key in the same transaction as the outbox
row that delivers it. A second sweep, a restarted bot or another replica finds the key and moves
on. A reminder found late (the bot was down) is still sent within the grace period, and never once
its moment has passed; otherwise it is recorded as skipped.
"""

from __future__ import annotations

import collections
import hashlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from bot.config import Settings, parse_offset
from bot.program import outbox
from bot.program.events import occurrence_key, recurrence
from bot.program.ports import Clock, NoSignal, OutboxSignal
from bot.program.recurrence import Recurrence, RecurrenceError, reminder_due
from storage.enums import AmbassadorStatus, ApplicationStatus, OccurrenceStatus, Platform, ReminderStatus
from storage.events import EventSeries
from storage.models import Person
from storage.uow import UnitOfWork

log = logging.getLogger("ambassador_bot.reminders")

# How far back a sweep looks for due reminders it has not decided yet (a bot down longer than this
# does not get reminders of that period at all: they are long past their moment).
LOOKBACK = timedelta(days=8)
_T = TypeVar("_T")


@dataclass
class SweepResult:
    sent: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def add(self, key: str, sent: bool) -> None:
        (self.sent if sent else self.skipped).append(key)


class ReminderService:
    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        settings: Settings,
        clock: Clock,
        signal: OutboxSignal | None = None,
    ) -> None:
        self._uow = uow
        self._settings = settings
        self._clock = clock
        self._signal = signal or NoSignal()
        # Reminders this process decided, by (kind, "sent" or "skipped"): what /metrics counts.
        self.decided: collections.Counter[tuple[str, str]] = collections.Counter()

    async def sweep(self) -> SweepResult:
        now = self._clock.now()
        result = SweepResult()
        steps = (self._events, self._bookings, self._renewals, self._lapses, self._nudges, self._digest)
        for step in steps:
            try:
                await step(now, result)
            except Exception as err:  # one failing kind must not stop the program's other clocks
                log.error("sweep step %s failed: %s", step.__name__, type(err).__name__)
        if result.sent:
            self._signal.kick()
        return result

    async def _decide(
        self,
        key: str,
        kind: str,
        due_at: datetime,
        deadline: datetime,
        now: datetime,
        send: Callable[[UnitOfWork], Any],
        detail: dict[str, Any],
        result: SweepResult,
    ) -> None:
        """One reminder, one transaction: claim its key and queue its delivery, or record a skip."""
        # Reminders of a moment (an event, a booking) are only worth it close to their time; the
        # others (renewal, nudge, digest, lapse) stay worth sending until their deadline.
        grace = timedelta(minutes=self._settings.reminders.grace_minutes)
        timely = kind not in ("event", "booking") or now - due_at <= grace
        worth_sending = now < deadline and timely and detail.get("superseded") is not True
        try:
            async with self._uow() as uow:
                if await uow.calendar.reminder_exists(key):
                    return
                if not await uow.calendar.claim_reminder(
                    key,
                    kind,
                    ReminderStatus.SENT if worth_sending else ReminderStatus.SKIPPED,
                    due_at,
                    now,
                    detail,
                ):
                    return  # another sweep (or replica) decided it a moment ago
                if worth_sending:
                    await send(uow)
        except Exception as err:  # rolled back; every other reminder, renewal and lapse goes on
            log.error("reminder %s failed, tried again next sweep: %s", key, type(err).__name__)
            return
        result.add(key, worth_sending)
        self.decided[kind, ReminderStatus.SENT if worth_sending else ReminderStatus.SKIPPED] += 1
        if not worth_sending:
            log.info("reminder %s skipped: found %s after it was due", key, now - due_at)

    # -- event reminders -------------------------------------------------------------------------

    async def _events(self, now: datetime, result: SweepResult) -> None:
        async with self._uow() as uow:
            series_list = list(await uow.calendar.active_series())
            overrides = {s.id: await uow.calendar.overrides(s.id) for s in series_list}
        for s in series_list:
            try:
                rule = recurrence(s)
            except RecurrenceError as err:
                await self._report_broken(s, str(err), now, result)
                continue
            if not s.reminder_offsets or not s.slack_channel:
                continue
            try:
                await self._series_reminders(s, rule, overrides[s.id], now, result)
            except Exception as err:  # one series' failure must not stop the others' reminders
                log.error("reminders of event series %s failed: %s", s.key, type(err).__name__)

    async def _series_reminders(
        self,
        s: EventSeries,
        rule: Recurrence,
        overrides: dict[datetime, str],
        now: datetime,
        result: SweepResult,
    ) -> None:
        # A whole-day offset is calendar days, so a day can be 25 hours long: look an hour further.
        horizon = timedelta(minutes=max(s.reminder_offsets) + 61)
        for occ in rule.instances(now - LOOKBACK, now + horizon):
            if overrides.get(occ.start) in (OccurrenceStatus.CANCELLED, OccurrenceStatus.SKIPPED):
                continue  # nothing to remind of
            for offset in s.reminder_offsets:
                due = reminder_due(occ, offset, rule.tz)
                if due > now:
                    continue
                key = f"event:{s.id}:{occurrence_key(occ.start)}:{offset}:{s.slack_channel}"
                data = {
                    "series_id": s.id,
                    "title": s.title,
                    "start": occ.start.isoformat(),
                    "timezone": s.timezone,
                    "minutes": s.duration_minutes,
                    "link": s.link,
                    "host": s.host_slack_id,
                    "occurrence": occurrence_key(occ.start),
                    "counts": {},
                    "kind": s.kind,
                }

                async def send(
                    uow: UnitOfWork,
                    key: str = key,
                    data: dict[str, Any] = data,
                    channel: str = s.slack_channel or "",
                    topic: int | None = s.forum_topic_id,
                    start: datetime = occ.start,
                ) -> None:
                    # `not_after`: the worker checks it before every attempt, retries included.
                    await outbox.queue(
                        uow,
                        key,
                        outbox.SLACK_POST,
                        {
                            "channel": channel,
                            "template": "event_reminder",
                            "data": data,
                            outbox.NOT_AFTER: start.isoformat(),
                        },
                        now,
                    )
                    if topic is not None and self._settings.discourse.enabled:
                        await outbox.queue(
                            uow,
                            f"{key}:forum",
                            outbox.DISCOURSE_POST,
                            {
                                "topic_id": topic,
                                "raw": _forum_reminder(data),
                                outbox.NOT_AFTER: start.isoformat(),
                            },
                            now,
                        )

                await self._decide(key, "event", due, occ.start, now, send, {"series": s.key}, result)

    async def _report_broken(self, s: EventSeries, reason: str, now: datetime, result: SweepResult) -> None:
        """A series whose rule cannot be expanded gets no reminders; the moderators hear of it once
        (again only if an edit leaves it broken in another way)."""
        what = hashlib.sha256(f"{s.rrule}|{s.start_local}|{s.timezone}".encode()).hexdigest()[:16]
        key = f"series-broken:{s.id}:{what}"
        channel = self._settings.slack.moderator_channel
        text = (
            f"Event series `{s.key}` ({s.title}) cannot be expanded: {reason}. It gets no reminders "
            f"and is left out of `/ambassador events` and the calendar feed until it is fixed with "
            f"`/ambassador event edit {s.key}`."
        )

        async def send(uow: UnitOfWork) -> None:
            if channel:
                payload = {"channel": channel, "template": "notice", "data": {"text": text}}
                await outbox.queue(uow, key, outbox.SLACK_POST, payload, now)

        if not await self._undecided([key]):
            return
        log.warning("event series %s cannot be expanded: %s", s.key, reason)
        forever = now + timedelta(days=3650)
        await self._decide(key, "series", now, forever, now, send, {"series": s.key}, result)

    # -- office-hours booking reminders ------------------------------------------------------------

    async def _bookings(self, now: datetime, result: SweepResult) -> None:
        offset = timedelta(minutes=parse_offset(self._settings.reminders.booking_reminder))
        async with self._uow() as uow:
            bookings = list(
                await uow.calendar.upcoming_bookings(now - LOOKBACK, now + offset + timedelta(minutes=1))
            )
            series = {b.series_id: await uow.calendar.series(b.series_id) for b in bookings}
        for b in bookings:
            s = series[b.series_id]
            due = b.slot_start - offset
            if s is None or due > now:
                continue
            for who in filter(None, (b.slack_user_id, s.host_slack_id)):
                key = f"booking:{b.id}:{int(offset.total_seconds() // 60)}:{who}"
                data = {
                    "title": s.title,
                    "start": b.slot_start.isoformat(),
                    "timezone": s.timezone,
                    "link": s.link,
                    "person": b.slack_user_id,
                    "host": s.host_slack_id,
                    "minutes": s.slot_minutes,
                }

                async def send(
                    uow: UnitOfWork, key: str = key, who: str = who, data: dict[str, Any] = data
                ) -> None:
                    await outbox.queue(
                        uow,
                        key,
                        outbox.SLACK_DM,
                        {
                            "user": who,
                            "template": "booking_reminder",
                            "data": data,
                            outbox.NOT_AFTER: data["start"],
                        },
                        now,
                    )

                await self._decide(key, "booking", due, b.slot_start, now, send, {"booking": b.id}, result)

    # -- renewals and lapses -------------------------------------------------------------------

    async def _read(self, query: Callable[[UnitOfWork], Awaitable[_T]]) -> _T:
        """One query in a unit of work of its own (a sweep reads in short transactions)."""
        async with self._uow() as uow:
            return await query(uow)

    async def _undecided(self, keys: list[str]) -> set[str]:
        """The keys still to decide: a repeat sweep skips the decided ones with one query."""
        async with self._uow() as uow:
            return set(keys) - await uow.calendar.decided(keys)

    async def _renewals(self, now: datetime, result: SweepResult) -> None:
        days = sorted(set(self._settings.renewals.reminder_days), reverse=True)
        if not days:
            return
        terms = await self._read(lambda uow: uow.terms.active(ending_before=now + timedelta(days=max(days))))
        # Only the offsets already due are looked up; a repeat sweep skips decided ones in one query.
        keys = [
            f"renewal:{a.id}:{a.term_end:%Y%m%d}:{d}"
            for a, _p in terms
            for d in days
            if a.term_end - timedelta(days=d) <= now
        ]
        todo = await self._undecided(keys)
        if not todo:
            return
        renewing = await self._read(lambda uow: uow.terms.pending_applicants())
        for amb, person in terms:
            if not person.slack_user_id or person.id in renewing:
                continue  # no Slack account, or already renewing
            due_days = [d for d in days if amb.term_end - timedelta(days=d) <= now]
            for d in due_days:
                due = amb.term_end - timedelta(days=d)
                if f"renewal:{amb.id}:{amb.term_end:%Y%m%d}:{d}" not in todo:
                    continue
                # Found late (the bot was down): only the most recent of the due reminders goes out.
                superseded = d != min(due_days)
                key = f"renewal:{amb.id}:{amb.term_end:%Y%m%d}:{d}"
                data = {
                    "name": person.display_name,
                    "term_end": amb.term_end.isoformat(),
                    "days": d,
                    "program": self._settings.program.name,
                }

                async def send(
                    uow: UnitOfWork,
                    key: str = key,
                    user: str = person.slack_user_id,
                    data: dict[str, Any] = data,
                ) -> None:
                    await outbox.queue(
                        uow,
                        key,
                        outbox.SLACK_DM,
                        {"user": user, "template": "renewal_reminder", "data": data},
                        now,
                    )

                # A renewal reminder stays worth sending until the term ends.
                await self._decide(
                    key,
                    "renewal",
                    due,
                    amb.term_end,
                    now,
                    send,
                    {"days": d, "superseded": superseded},
                    result,
                )

    async def _lapses(self, now: datetime, result: SweepResult) -> None:
        grace = timedelta(days=self._settings.renewals.grace_days)
        d = self._settings.discourse
        for amb, person in await self._read(lambda uow: uow.terms.active(ending_before=now - grace)):
            key = f"lapse:{amb.id}:{amb.term_end:%Y%m%d}"

            async def send(
                uow: UnitOfWork, key: str = key, amb_id: int = amb.id, person: Person = person
            ) -> None:
                row = await uow.ambassadors.for_person(person.id)
                if row is None or row.status != AmbassadorStatus.ACTIVE or row.id != amb_id:
                    return
                row.status = AmbassadorStatus.ALUMNI
                await uow.audit.record(
                    at=now,
                    actor="scheduler",
                    platform=Platform.BOT,
                    action="ambassador.lapsed",
                    subject_type="person",
                    subject_id=person.id,
                    before={"status": AmbassadorStatus.ACTIVE, "term_end": row.term_end.isoformat()},
                    after={"status": AmbassadorStatus.ALUMNI},
                )
                if d.enabled and person.forum_username:
                    if d.ambassador_badge_id is not None:
                        grant = await uow.forum.open_grant(person.id, d.ambassador_badge_id)
                        await outbox.queue(
                            uow,
                            f"{key}:badge",
                            outbox.DISCOURSE_REVOKE_BADGE,
                            {
                                "username": person.forum_username,
                                "badge_id": d.ambassador_badge_id,
                                "grant_id": grant.id if grant else None,
                            },
                            now,
                        )
                    if d.ambassador_group:
                        await outbox.queue(
                            uow,
                            f"{key}:group",
                            outbox.DISCOURSE_REMOVE_FROM_GROUP,
                            {"username": person.forum_username, "group": d.ambassador_group},
                            now,
                        )
                channel = self._settings.slack.moderator_channel
                if channel:
                    who = f"<@{person.slack_user_id}>" if person.slack_user_id else person.display_name
                    await outbox.queue(
                        uow,
                        f"{key}:moderators",
                        outbox.SLACK_POST,
                        {
                            "channel": channel,
                            "template": "notice",
                            "data": {
                                "text": f"{who}'s ambassador term ended on "
                                f"{row.term_end:%Y-%m-%d} without renewal: moved to "
                                "alumni; badge and group membership are being removed."
                            },
                        },
                        now,
                    )

            # A lapse is never "too late": its deadline is far in the future.
            await self._decide(
                key, "lapse", now, now + timedelta(days=3650), now, send, {"person": person.id}, result
            )

    # -- onboarding nudges and the weekly digest ----------------------------------------------------

    async def _nudges(self, now: datetime, result: SweepResult) -> None:
        after = timedelta(days=self._settings.reminders.nudge_after_days)
        async with self._uow() as uow:  # keys first, from two columns; whole rows only for the undecided
            starts = await uow.terms.active_starts(now - after)
        todo = await self._undecided([f"nudge:{i}:{start:%Y%m%d}" for i, start in starts.items()])
        if not todo:
            return
        wanted = {int(key.split(":")[1]) for key in todo}
        terms = await self._read(lambda uow: uow.terms.active(started_before=now - after, ids=wanted))
        candidates = [
            (amb, person)
            for amb, person in terms
            if person.slack_user_id and f"nudge:{amb.id}:{amb.term_start:%Y%m%d}" in todo
        ]
        if not candidates:
            return
        async with self._uow() as uow:
            open_steps = await uow.onboarding.unfinished([amb.id for amb, _p in candidates])
        for amb, person in candidates:
            steps = open_steps.get(amb.id, [])
            if not person.slack_user_id or not steps:
                continue
            key = f"nudge:{amb.id}:{amb.term_start:%Y%m%d}"
            data = {"name": person.display_name, "steps": [{"title": s.title, "key": s.key} for s in steps]}

            async def send(
                uow: UnitOfWork, key: str = key, user: str = person.slack_user_id, data: dict[str, Any] = data
            ) -> None:
                await outbox.queue(
                    uow,
                    key,
                    outbox.SLACK_DM,
                    {"user": user, "template": "onboarding_nudge", "data": data},
                    now,
                )

            await self._decide(
                key,
                "nudge",
                amb.term_start + after,
                now + timedelta(days=3650),
                now,
                send,
                {"steps": [s.key for s in steps]},
                result,
            )

    async def _digest(self, now: datetime, result: SweepResult) -> None:
        r = self._settings.reminders
        channel = self._settings.slack.moderator_channel
        if not channel:
            return
        monday = (now - timedelta(days=now.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
        due = monday + timedelta(days=r.digest_weekday, hours=r.digest_hour_utc)
        if due > now:
            due -= timedelta(days=7)
        key = f"digest:{due:%G-W%V}"
        async with self._uow() as uow:
            if await uow.calendar.reminder_exists(key):
                return
            data = await self._digest_data(uow, now)

        async def send(uow: UnitOfWork) -> None:
            await outbox.queue(
                uow,
                key,
                outbox.SLACK_POST,
                {"channel": channel, "template": "notice", "data": {"text": data}},
                now,
            )

        # Late is better than never, until the next one is due.
        await self._decide(key, "digest", due, due + timedelta(days=7), now, send, {}, result)

    async def _digest_data(self, uow: UnitOfWork, now: datetime) -> str:
        soon = now + timedelta(days=max(self._settings.renewals.reminder_days or (30,)))
        terms = await self._read(lambda uow: uow.terms.active())
        due = sorted((a.term_end, p.display_name) for a, p in terms if a.term_end <= soon)
        pending = (await uow.applications.count_by_status()).get(ApplicationStatus.PENDING, 0)
        after = timedelta(days=self._settings.reminders.nudge_after_days)
        started = [amb.id for amb, _p in terms if amb.term_start + after <= now]
        stuck = len(await uow.onboarding.unfinished(started))
        week_ago = now - timedelta(days=7)
        lapsed = await uow.terms.lapsed_since(week_ago - timedelta(days=self._settings.renewals.grace_days))
        lines = [
            "Weekly digest for the moderators:",
            f"• Renewals due by {soon:%Y-%m-%d}: {len(due)}"
            + (": " + ", ".join(f"{n} ({t:%Y-%m-%d})" for t, n in due[:10]) if due else ""),
            f"• Lapsed recently: {len(lapsed)}",
            f"• Unfinished onboarding after {self._settings.reminders.nudge_after_days} days: {stuck}",
            f"• Applications waiting for review: {pending}",
        ]
        return "\n".join(lines)


def _forum_reminder(data: dict[str, Any]) -> str:
    start = datetime.fromisoformat(str(data["start"])).astimezone(UTC)
    link = f"\n\nJoin: {data['link']}" if data.get("link") else ""
    return f"Reminder: **{data['title']}** starts {start:%Y-%m-%d %H:%M} UTC.{link}"
