"""What a feature's due-finder hands the sweep: `Due` reminders, each with its unique key, when it
was due, until when it is worth sending and how it is sent; and `Reading`, the short
transactions a finder looks things up (and moves next due moments on) with."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
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


class Batchable:
    """A `Send` (or settle) that the sweep runs together with the others of its class in a batch:
    `run_all` does what each would do, in as few statements as it can. Called on its own it is a
    batch of one."""

    async def __call__(self, uow: UnitOfWork) -> None:
        await self.run_all(uow, [self])

    @classmethod
    async def run_all(cls, uow: UnitOfWork, items: Sequence[Any]) -> None:
        raise NotImplementedError


async def run_together(uow: UnitOfWork, sends: Iterable[Send]) -> None:
    """Run each send once (a send shared by several reminders, like a term's settle, runs once),
    the `Batchable` ones of each class in one `run_all`, the others one after the other."""
    seen: set[int] = set()
    batches: dict[type[Batchable], list[Batchable]] = {}
    for send in sends:
        if id(send) in seen:
            continue
        seen.add(id(send))
        if isinstance(send, Batchable):
            batches.setdefault(type(send), []).append(send)
        else:
            await send(uow)
    for kind, items in batches.items():
        await kind.run_all(uow, items)


@dataclass(frozen=True, eq=False)
class Queue(Batchable):
    """Send: one outbox row (a message to a channel or a person); a batch is one INSERT."""

    key: str
    kind: str
    payload: dict[str, Any]
    now: datetime

    @classmethod
    async def run_all(cls, uow: UnitOfWork, items: Sequence[Queue]) -> None:
        await outbox.queue_many(uow, [(q.key, q.kind, q.payload, q.now) for q in items])


async def _nothing(_uow: UnitOfWork) -> None:
    return None


def post(key: str, channel: str, message: Message, now: datetime, **extra: Any) -> Send:
    """Send: post `message` in `channel` (nothing when there is no channel)."""
    if not channel:
        return _nothing
    return Queue(key, outbox.SLACK_POST, outbox.message_payload(message, channel=channel, **extra), now)


def dm(key: str, user: str, message: Message, now: datetime, **extra: Any) -> Send:
    """Send: `message` to one person."""
    return Queue(key, outbox.SLACK_DM, outbox.message_payload(message, user=user, **extra), now)
