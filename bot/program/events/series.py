"""Event series: occurrences in their own timezone, the occurrence keys, and the Slack form of a
series (parsed and validated like config.toml).

Occurrences are computed from the RRULE on the series' local wall time, so "17:00 Europe/London"
stays 17:00 local across daylight-saving changes (gaps and overlaps: bot/program/events/recurrence.py).
The database stores instants in UTC.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, get_args

from bot.config import EventSettings
from bot.program import audit
from bot.program.errors import InvalidInput
from bot.program.events.recurrence import Instance, Recurrence, RecurrenceError
from storage.events import EventSeries
from storage.uow import UnitOfWork


def recurrence(series: EventSeries) -> Recurrence:
    """The series' rule in its timezone; RecurrenceError when it cannot be expanded (a row written
    before the rule was validated as it is now)."""
    return Recurrence(series.rrule, series.start_local, series.timezone)


def instances(series: EventSeries, start: datetime, end: datetime) -> list[Instance]:
    """Occurrences (rule wall time and UTC instant) in [start, end)."""
    return recurrence(series).instances(start, end)


def occurrences(series: EventSeries, start: datetime, end: datetime) -> list[datetime]:
    """Occurrence starts (UTC) in [start, end)."""
    return [i.start for i in instances(series, start, end)]


def on_local_date(series: EventSeries, day: date) -> Instance | None:
    """The series' occurrence on a date of its own timezone, or None: what cancel and skip act on."""
    return recurrence(series).on_local_date(day)


def expandable(series: EventSeries) -> bool:
    try:
        recurrence(series)
    except RecurrenceError:
        return False
    return True


def occurrence_key(occ: datetime) -> str:
    return occ.astimezone(UTC).strftime("%Y%m%dT%H%MZ")


def parse_occurrence_key(text: str) -> datetime:
    return datetime.strptime(text, "%Y%m%dT%H%MZ").replace(tzinfo=UTC)


@dataclass(frozen=True)
class Occurrence:
    series_id: int
    series_key: str
    title: str
    kind: str
    start: datetime  # UTC
    end: datetime
    timezone: str
    link: str
    host: str | None
    status: str  # scheduled | cancelled | skipped

    @classmethod
    def of(cls, s: EventSeries, start: datetime, status: str) -> Occurrence:
        """The occurrence of series `s` starting at `start` (UTC)."""
        end = start + timedelta(minutes=s.duration_minutes)
        return cls(s.id, s.key, s.title, s.kind, start, end, s.timezone, s.link, s.host_slack_id, status)


async def ahead(
    uow: UnitOfWork, now: datetime, days: int, wanted: Callable[[EventSeries], bool] = expandable
) -> list[tuple[EventSeries, dict[datetime, str], list[datetime]]]:
    """The active series `wanted` (expandable ones: a broken rule is reported by the sweep), each
    with its cancelled and skipped occurrences and its occurrence starts in the next `days` days."""
    out = []
    for s in await uow.calendar.active_series():
        if wanted(s):
            overrides = await uow.calendar.overrides(s.id)
            out.append((s, overrides, occurrences(s, now, now + timedelta(days=days))))
    return out


# -- the Slack form of a series ------------------------------------------------------------------


def _text(fields: dict[str, str], name: str, default: str = "") -> str:
    return (fields.get(name) or default).strip()


def settings_from_form(fields: dict[str, str], key: str | None) -> EventSettings:
    """The series the form describes, validated like config.toml (InvalidInput names the fields)."""
    slot = _text(fields, "slot_minutes")
    try:
        return EventSettings.model_validate(
            {
                "key": (fields.get("key") or key or "").strip().lower(),
                "title": _text(fields, "title"),
                "kind": _text(fields, "kind", "meetup"),
                "rrule": _text(fields, "rrule"),
                "start": _text(fields, "start").replace(" ", "T"),
                "timezone": _text(fields, "timezone"),
                "duration_minutes": int(_text(fields, "duration_minutes", "60") or 60),
                "link": _text(fields, "link"),
                "host": _text(fields, "host"),
                "slack_channel": _text(fields, "slack_channel"),
                "reminders": tuple(
                    x.strip() for x in (fields.get("reminders") or "7d,1d,1h").split(",") if x.strip()
                ),
                "slot_minutes": int(fields["slot_minutes"]) if slot else None,
            }
        )
    except ValueError as err:
        raise InvalidInput("Some fields need fixing.", _field_errors(err)) from None


def form_fields(s: EventSeries) -> dict[str, str]:
    """The series as the edit form shows it."""
    return {
        "key": s.key,
        "title": s.title,
        "kind": s.kind,
        "rrule": s.rrule,
        "start": s.start_local,
        "timezone": s.timezone,
        "duration_minutes": str(s.duration_minutes),
        "link": s.link,
        "host": s.host_slack_id or "",
        "slack_channel": s.slack_channel or "",
        "reminders": ",".join(_offset_text(m) for m in s.reminder_offsets),
        "slot_minutes": str(s.slot_minutes or ""),
    }


def _offset_text(minutes: int) -> str:
    if minutes % 1440 == 0:  # whole days count as calendar days (bot/program/events/recurrence.py)
        return f"{minutes // 1440}d"
    if minutes % 60 == 0:
        return f"{minutes // 60}h"
    return f"{minutes}m"


# The kinds a series may be, as config.toml's schema lists them.
KINDS: tuple[str, ...] = get_args(EventSettings.model_fields["kind"].annotation)


def _kinds_sentence() -> str:
    *head, last = KINDS
    return f"The kind is {', '.join(head)} or {last}." if head else f"The kind is {last}."


def _field_errors(err: ValueError) -> dict[str, str]:
    errors: dict[str, str] = {}
    for item in getattr(err, "errors", lambda: [])():
        loc = str(item["loc"][0]) if item.get("loc") else "title"
        if loc == "kind":  # pydantic's "Input should be 'meetup' or …": say it as a sentence
            errors["kind"] = _kinds_sentence()
            continue
        field = {"start": "start", "duration_minutes": "duration_minutes", "reminders": "reminders"}.get(
            loc, loc
        )
        errors[field] = re.sub(r"^Value error, ", "", str(item["msg"]))
    if not errors:
        errors["title"] = str(err)
    return errors


async def audit_series(
    uow: UnitOfWork,
    now: datetime,
    actor: str,
    action: str,
    key: str,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """An audit entry about event series `key` (changes made from Slack)."""
    await audit.log(uow, now, actor, action, ("event_series", key), before=before, after=after)
