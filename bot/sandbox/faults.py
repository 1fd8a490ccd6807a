"""Fault injection shared by the platform stand-ins: storms, hangs and forced failures.

A *storm* makes every matching call fail the same way for a stretch of time (the stand-in's own
clock), as when a platform has an outage or rate-limits everything for minutes: an HTTP status
(500, 502, 503, 429 with ``Retry-After``) or ``"hang"`` (the call is held longer than any sane
client timeout and then answered with a gateway timeout, having had no effect).

A *hang* holds the answer to the next matching calls for ``seconds``: ``after_effect=True`` means
the call takes effect first (the post lands, the badge is granted) and only the answer is late,
which is what makes a client time out on work that was in fact done.

A *forced failure* answers the next matching calls with a given status; each stand-in says how
its platform answers that status.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Literal, TypeVar

__all__ = ["Faults", "ForcedFailure", "Hang", "Storm", "StormStatus"]

StormStatus = int | Literal["hang"]


@dataclass
class Storm:
    status: StormStatus
    until: float
    methods: frozenset[str] | None  # e.g. {"chat.postMessage"} or {"POST"}; None = every call
    path_prefixes: tuple[str, ...] | None
    retry_after: int
    hang_seconds: float
    hits: int = 0

    def matches(self, now: float, method: str, path: str) -> bool:
        if now >= self.until:
            return False
        if self.methods is not None and method not in self.methods:
            return False
        return self.path_prefixes is None or path.startswith(self.path_prefixes)


@dataclass
class Armed:
    """Armed for the next ``times`` calls ``method path_prefix*`` (``""`` matches every path)."""

    method: str
    path_prefix: str
    times: int

    def take(self, method: str, path: str) -> bool:
        """Whether this call is one of them (and count it)."""
        if self.times > 0 and self.method == method and path.startswith(self.path_prefix):
            self.times -= 1
            return True
        return False


@dataclass
class Hang(Armed):
    seconds: float
    after_effect: bool
    started: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass
class ForcedFailure(Armed):
    status: int
    retry_after: int
    error: str | None = None


A = TypeVar("A", "Hang", "ForcedFailure")


class Faults:
    """The storms and hangs armed on one stand-in."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self.storms: list[Storm] = []
        self.hangs: list[Hang] = []
        self.failures: list[ForcedFailure] = []
        # Held calls that were answered late (or not at all, when the client gave up first).
        self.hung = 0
        self._release: asyncio.Event | None = None

    def storm(
        self,
        status: StormStatus,
        seconds: float,
        *,
        methods: Iterable[str] | None = None,
        path_prefixes: Iterable[str] | None = None,
        retry_after: int = 1,
        hang_seconds: float = 5.0,
    ) -> Storm:
        storm = Storm(
            status=status,
            until=self._clock() + seconds,
            methods=frozenset(methods) if methods is not None else None,
            path_prefixes=tuple(path_prefixes) if path_prefixes is not None else None,
            retry_after=retry_after,
            hang_seconds=hang_seconds,
        )
        self.storms.append(storm)
        return storm

    def calm(self) -> None:
        """End every storm now."""
        now = self._clock()
        for storm in self.storms:
            storm.until = min(storm.until, now)
        self.release_holds()

    def storming(self, method: str, path: str = "") -> Storm | None:
        now = self._clock()
        for storm in self.storms:
            if storm.matches(now, method, path):
                storm.hits += 1
                return storm
        return None

    def arm(self, armed: A) -> A:
        """Arm a hang or a forced failure for the next matching calls."""
        if isinstance(armed, Hang):
            self.hangs.append(armed)
        else:
            self.failures.append(armed)
        return armed

    def take_hang(self, method: str, path: str = "") -> Hang | None:
        hang = next((h for h in self.hangs if h.take(method, path)), None)
        if hang is not None:
            hang.started.set()
        return hang

    def take_failure(self, method: str, path: str = "") -> ForcedFailure | None:
        return next((f for f in self.failures if f.take(method, path)), None)

    async def hold(self, seconds: float) -> None:
        """Hold a call for ``seconds``, or until `release_holds`."""
        self.hung += 1
        if self._release is None:
            self._release = asyncio.Event()
        release = self._release
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(release.wait(), timeout=seconds)

    def release_holds(self) -> None:
        """Answer every call held right now (later holds wait again)."""
        if self._release is not None:
            self._release.set()
            self._release = None
