"""Ports: the small interfaces the service layer uses to reach the outside world."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class UsergroupDirectory(Protocol):
    """Who is in a Slack user group (used for moderators given as a group)."""

    async def members(self, usergroup_id: str) -> set[str]: ...


class OutboxSignal(Protocol):
    """Wakes the outbox worker after a transaction that wrote outbox rows has committed."""

    def kick(self) -> None: ...


class NoSignal:
    def kick(self) -> None:
        return None
