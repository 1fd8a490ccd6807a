"""What a feature's due-finder hands the sweep: `Due` reminders, each with its unique key, when it
was due, until when it is worth sending and how it is sent; and `Reading`, the short
transactions a finder looks things up (and moves next due moments on) with."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from bot.config import Settings
from bot.program import outbox
from bot.program.messages import Message
from storage.uow import UnitOfWork

# How far back a sweep looks for due reminders it has not decided yet (a bot down longer than this
# does not get reminders of that period at all: they are long past their moment).
LOOKBACK = timedelta(days=8)
# The deadline of what is never too late (a lapse, a nudge, a broken series' report).
FOREVER = timedelta(days=3650)

Send = Callable[[UnitOfWork], Awaitable[None]]
_T = TypeVar("_T")


@dataclass(frozen=True)
class Due:
    """One reminder that is due: the sweep claims `key` and runs `send` in one transaction, or
    records it as skipped when it is found after `deadline` (or, for the reminders of a moment,
    after the grace period) or is `superseded` by a more recent one."""

    key: str
    kind: str  # what /metrics counts it as: event, booking, renewal, lapse, nudge, digest, series
    due_at: datetime
    deadline: datetime
    send: Send
    detail: dict[str, Any] = field(default_factory=dict)
    superseded: bool = False
    # Run in the same transaction as the decision, whether this sweep decided it or found it
    # decided: moves the row's next due moment on (the finders read only what is due).
    settle: Send | None = None


class Reading:
    """What a due-finder reads with: each query in a short unit of work of its own."""

    def __init__(self, uow: Callable[[], UnitOfWork], settings: Settings, every: bool = False) -> None:
        self.uow = uow
        self.settings = settings
        # Look at every row, not only those whose next due moment has come: a process's first
        # sweep does, so moments set under other settings (reminder days, nudge delay) are redone.
        self.every = every
        self._shared: dict[str, Any] = {}

    async def read(self, query: Callable[[UnitOfWork], Awaitable[_T]]) -> _T:
        """One query in a unit of work of its own (a sweep reads in short transactions)."""
        async with self.uow() as uow:
            return await query(uow)

    async def shared(self, name: str, query: Callable[[UnitOfWork], Awaitable[_T]]) -> _T:
        """`read`, once per sweep for all the finders that ask by this name (the renewal and
        lapse finders read the same due terms)."""
        if name not in self._shared:
            self._shared[name] = await self.read(query)
        found: _T = self._shared[name]
        return found

    async def write(self, change: Callable[[UnitOfWork], Awaitable[None]]) -> None:
        """A short write of a finder's own (moving next due moments on), committed at once."""
        async with self.uow() as uow:
            await change(uow)

    async def undecided(self, keys: list[str]) -> set[str]:
        """The keys still to decide: a repeat sweep skips the decided ones with one query."""
        if not keys:
            return set()
        async with self.uow() as uow:
            return set(keys) - await uow.calendar.decided(keys)


DueFinder = Callable[[Reading, datetime], AsyncIterator[Due]]


def post(key: str, channel: str, message: Message, now: datetime, **extra: Any) -> Send:
    """Send: post `message` in `channel` (nothing when there is no channel)."""

    async def send(uow: UnitOfWork) -> None:
        if channel:
            await outbox.post(uow, key, channel, message, now, **extra)

    return send


def dm(key: str, user: str, message: Message, now: datetime, **extra: Any) -> Send:
    """Send: `message` to one person."""

    async def send(uow: UnitOfWork) -> None:
        await outbox.dm(uow, key, user, message, now, **extra)

    return send
