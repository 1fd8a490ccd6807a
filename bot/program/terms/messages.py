"""The typed messages of terms: renewal reminders and the renewal's confirmation, the moderators'
note that someone stepped down, and the onboarding nudge of a new term.

Field names are the keys the rows' data always had, so rows queued before keep decoding (`Renewed`
is queued by the renewal's approval, bot/program/applications/deciding.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar, Literal

from bot.program.messages import Message


@dataclass(frozen=True)
class RenewalReminder(Message):
    """The term ends in `days` days; the Renew button opens the short re-application."""

    kind: ClassVar[Literal["renewal_reminder"]] = "renewal_reminder"
    name: str
    term_end: datetime
    days: int
    program: str = ""


@dataclass(frozen=True)
class Renewed(Message):
    kind: ClassVar[Literal["renewed"]] = "renewed"
    term_end: datetime
    name: str = ""
    program: str = ""


@dataclass(frozen=True)
class SteppedDown(Message):
    """To the moderators: `user` ended their own term (forum removals follow when they have a
    forum account)."""

    kind: ClassVar[Literal["stepped_down"]] = "stepped_down"
    user: str
    name: str = ""
    term_start: datetime | None = None
    forum_username: str | None = None


@dataclass(frozen=True)
class NudgeStep:
    title: str
    key: str


@dataclass(frozen=True)
class OnboardingNudge(Message):
    """To a new ambassador some days into their term: the onboarding steps still open."""

    kind: ClassVar[Literal["onboarding_nudge"]] = "onboarding_nudge"
    name: str = ""
    steps: tuple[NudgeStep, ...] = ()
