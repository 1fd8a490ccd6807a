"""The outbox worker's parts (bot/platforms/outbox_worker.py): what a deliverer is, the rows in
hand, and how their outcomes are written.

A delivery's outcome (delivered, failed, retry at) is recorded only if the worker still holds the
row's lease. Outcomes that finish while others are being written wait and go together in the
next transaction, at most OUTCOMES_PER_TRANSACTION at a time; if that transaction fails, each is
written on its own, so one that cannot be written spares the others.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import Select, select

from storage.enums import OutboxStatus
from storage.models import OutboxMessage
from storage.uow import UnitOfWork

OUTCOMES_PER_TRANSACTION = 100  # outcomes recorded in one transaction at most


class Deliverer(Protocol):
    async def deliver(
        self, kind: str, key: str, payload: dict[str, Any], maybe_done: bool
    ) -> dict[str, Any]: ...


def still_held(ids: list[int], worker_id: str) -> Select[Any]:
    """Which of these rows this worker still holds a lease on, with no outcome recorded yet
    (rows locked because their outcome is being written right now are skipped, not waited for)."""
    return (
        select(OutboxMessage.id)
        .where(
            OutboxMessage.id.in_(ids),
            OutboxMessage.locked_by == worker_id,
            OutboxMessage.status == OutboxStatus.IN_FLIGHT,
            OutboxMessage.locked_until.is_not(None),  # not one whose outcome is recorded
        )
        .with_for_update(skip_locked=True)
    )


@dataclass(frozen=True)
class Leased:
    """An outbox row this worker holds a lease on, as it was when claimed."""

    id: int
    key: str
    kind: str
    payload: dict[str, Any]
    attempts: int  # attempts before this one


@dataclass(frozen=True)
class Claimed:
    msg: Leased
    retry: bool  # an earlier attempt may have reached the platform


@dataclass(frozen=True)
class _Outcome:
    msg_id: int
    values: dict[str, Any]
    then: Callable[[UnitOfWork], Awaitable[None]] | None
    written: asyncio.Future[None]


@dataclass(eq=False)
class OutcomeWriter:
    uow: Callable[[], UnitOfWork]
    worker_id: str
    _waiting: list[_Outcome] = field(default_factory=list, init=False, repr=False)
    _task: asyncio.Task[None] | None = field(default=None, init=False, repr=False)

    async def write(
        self, msg_id: int, values: dict[str, Any], then: Callable[[UnitOfWork], Awaitable[None]] | None
    ) -> None:
        """Record one outcome (with `then` in the same transaction); returns once it is written."""
        written: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append(_Outcome(msg_id, values, then, written))
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._write_waiting())
        await written

    async def _write_waiting(self) -> None:
        while self._waiting:
            batch = self._waiting[:OUTCOMES_PER_TRANSACTION]
            del self._waiting[: len(batch)]
            try:
                async with self.uow() as uow:
                    for outcome in batch:
                        await self._record(uow, outcome)
            except Exception:  # one at a time, so one that cannot be written spares the others
                for outcome in batch:
                    try:
                        async with self.uow() as uow:
                            await self._record(uow, outcome)
                    except Exception as err:
                        if not outcome.written.done():
                            outcome.written.set_exception(err)
                    else:
                        if not outcome.written.done():
                            outcome.written.set_result(None)
            else:
                for outcome in batch:
                    if not outcome.written.done():
                        outcome.written.set_result(None)

    async def _record(self, uow: UnitOfWork, outcome: _Outcome) -> None:
        if await uow.outbox.finish(outcome.msg_id, self.worker_id, **outcome.values) and outcome.then:
            await outcome.then(uow)
