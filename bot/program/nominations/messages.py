"""The messages of nominations: the review card in the moderators' channel (posted, then redrawn
once decided), the nominee's invitation to apply and the nominator's outcome DM.

Field names are the keys of the dict data rows carried before these types existed, so rows already
in a database decode; every field a row may lack has a default.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

from bot.program.messages import Message
from storage.enums import NominationStatus


@dataclass(frozen=True)
class NominationReview(Message):
    """A nomination as the moderators review it, and whether it can still be decided."""

    kind: ClassVar[Literal["nomination_review"]] = "nomination_review"
    nomination_id: int
    nominee: str
    nominator: str
    reason: str = ""
    created_at: str = ""  # ISO
    decision: NominationStatus | None = None  # invited or declined, once decided
    decided_by: str | None = None
    can_decide: bool = True  # Invite and Decline are offered

    def __post_init__(self) -> None:
        # A row queued before `can_decide` existed says only its decision: a decided card offers
        # no buttons.
        if self.decision and self.can_decide:
            object.__setattr__(self, "can_decide", False)


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
