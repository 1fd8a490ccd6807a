"""The events part of the App Home snapshot: the next occurrences of every series, each with the
viewer's own RSVP (called from bot.program.home.snapshot)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from bot.program.events.series import ahead, occurrence_key
from bot.program.home.messages import HomeEvent
from storage.enums import OccurrenceStatus
from storage.uow import UnitOfWork

HOME_DAYS = 60  # how far ahead the tab looks, as `/ambassador events` does
HOME_SHOWN = 5  # occurrences on the tab (each has a row of RSVP buttons)


def _utc(dt: datetime) -> datetime:
    """An instant as stored; SQLite may hand it back without its zone (it is UTC)."""
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


async def _answers(uow: UnitOfWork, slack_user_id: str) -> dict[tuple[int, datetime], str]:
    """The viewer's RSVPs by (series, occurrence start). Read through the per-person rows reader
    (storage.privacy), the one query of a person's rows of a table the repositories offer."""
    repo = uow.privacy
    rows = await repo.select_rows("rsvps", repo.col_in("rsvps", "slack_user_id", [slack_user_id]))
    return {(int(r["series_id"]), _utc(r["occurrence_start"])): str(r["answer"]) for r in rows}


async def upcoming_for(uow: UnitOfWork, now: datetime, slack_user_id: str) -> tuple[HomeEvent, ...]:
    """The next `HOME_SHOWN` occurrences, soonest first; a skipped one is left out (nothing
    happens), a cancelled one stays, marked, so nobody waits for it."""
    found: list[HomeEvent] = []
    for s, overrides, starts in await ahead(uow, now, HOME_DAYS):
        for start in starts:
            status = overrides.get(start, OccurrenceStatus.SCHEDULED)
            if status == OccurrenceStatus.SKIPPED:
                continue
            found.append(
                HomeEvent(s.id, s.title, start, occurrence_key(start), s.timezone, s.link, str(status))
            )
    found.sort(key=lambda e: (e.start, e.title))
    shown = found[:HOME_SHOWN]
    if not shown:
        return ()
    answers = await _answers(uow, slack_user_id)
    return tuple(replace(e, answer=answers.get((e.series_id, _utc(e.start)))) for e in shown)
