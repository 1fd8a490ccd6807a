"""Who is a moderator: Slack user ids from config, and optionally a Slack user group."""

from __future__ import annotations

import time
from collections.abc import Iterable

from bot.program.ports import UsergroupDirectory


class Roles:
    def __init__(
        self,
        moderators: Iterable[str],
        usergroup: str = "",
        directory: UsergroupDirectory | None = None,
        cache_seconds: float = 300.0,
    ) -> None:
        self._ids = frozenset(moderators)
        self._usergroup = usergroup
        self._directory = directory
        self._cache_seconds = cache_seconds
        self._cached: tuple[float, frozenset[str]] | None = None

    async def is_moderator(self, slack_user_id: str) -> bool:
        if slack_user_id in self._ids:
            return True
        if not self._usergroup or self._directory is None:
            return False
        now = time.monotonic()
        if self._cached is None or now - self._cached[0] > self._cache_seconds:
            try:
                members = frozenset(await self._directory.members(self._usergroup))
            except Exception:
                # Slack unreachable: fall back to the last known list rather than granting anything.
                members = self._cached[1] if self._cached else frozenset()
            self._cached = (now, members)
        return slack_user_id in self._cached[1]
