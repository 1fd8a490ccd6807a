"""The messages of nominations: the review card (as an application's: `ReviewCard`), the nominee's
invitation to apply and the nominator's outcome DM. As with applications, the fields keep the keys
of the dict rows queued before, with a default for each key such a row may lack."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

from bot.program.applications.messages import ReviewCard
from bot.program.messages import Message
from storage.enums import NominationStatus


@dataclass(frozen=True)
class NominationReview(ReviewCard, Message):
    """A nomination as the moderators review it, and whether it can still be decided."""

    kind: ClassVar[Literal["nomination_review"]] = "nomination_review"
    nomination_id: int
    nominee: str  # the nominee's Slack id ("" for someone nominated by their forum account)
    nominator: str
    reason: str = ""
    created_at: str = ""  # ISO
    nominee_forum: str = ""  # the forum account of a nominee who is not in Slack
    decision: NominationStatus | None = None  # invited or declined, once decided
    decided_by: str | None = None
    can_decide: bool = True  # Invite and Decline are offered


@dataclass(frozen=True)
class NominationInvite(Message):
    """The nominee's DM: who nominated them and why, and the button that opens the form."""

    kind: ClassVar[Literal["nomination_invite"]] = "nomination_invite"
    nomination_id: int
    nominator: str
    reason: str = ""
    program: str = ""


@dataclass(frozen=True)
class NominationOutcome(Message):
    """The nominator's DM once the moderators decided."""

    kind: ClassVar[Literal["nomination_outcome"]] = "nomination_outcome"
    nominee: str
    status: NominationStatus
    program: str = ""
    nominee_forum: str = ""  # a nominee who is not in Slack, by their forum account


@dataclass(frozen=True)
class ForumNominationInvite(Message):
    """The invitation of someone nominated by their forum account, as a forum private message:
    who nominated them and why, and how to apply (in Slack, where the form is)."""

    kind: ClassVar[Literal["forum_nomination_invite"]] = "forum_nomination_invite"
    username: str
    nominator: str  # the nominator's name as the program knows it
    reason: str = ""
    program: str = ""
    command: str = "/ambassador"
