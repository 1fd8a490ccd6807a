"""Inbound deliveries seen before: platforms retry, so each delivery is processed once."""

from __future__ import annotations

from collections.abc import Callable

from bot.program.ports import Clock
from storage.uow import UnitOfWork


class InboundEvents:
    def __init__(self, uow: Callable[[], UnitOfWork], clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def first_time(self, source: str, key: str) -> bool:
        """Record the delivery; False when it was processed already (a retry or a duplicate)."""
        async with self._uow() as uow:
            return await uow.deliveries.first_time(source, key[:200], self._clock.now())
