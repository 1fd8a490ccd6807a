"""The messages of applications: the review card in the moderators' channel (posted, then redrawn
once decided), the welcome DM of a new ambassador and the rejection DM; and `card_ref`, the neutral
reference to a review card on Slack that a decision was clicked on (a nomination's card too).

Field names are the keys of the dict data rows carried before these types existed, so rows already
in a database decode; every field a row may lack has a default.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

from bot.program.messages import Message


class ReviewCard:
    """What the review cards of applications and nominations share: the decision once made and
    whether the buttons are offered."""

    decision: str | None
    can_decide: bool

    def __post_init__(self) -> None:
        # A row queued before `can_decide` existed says only its decision: a decided card offers
        # no buttons.
        if self.decision and self.can_decide:
            object.__setattr__(self, "can_decide", False)


@dataclass(frozen=True)
class ApplicationReview(ReviewCard, Message):
    """An application as the moderators review it, and whether it can still be decided."""

    kind: ClassVar[Literal["application_review"]] = "application_review"
    application_id: int
    applicant: str = ""  # the applicant's Slack id ("" when unknown: the card names them)
    name: str = ""
    forum_username: str = ""
    location: str = ""
    timezone: str = ""
    expertise: str = ""
    links: str = ""
    motivation: str = ""
    # A renewal (rows before these types said `"kind": "renewal"`, a name `Message` keeps for the
    # message kind; the card looks the same either way).
    renewal: bool = False
    term_end: str | None = None  # a renewal: the current term's end (ISO)
    decision: str | None = None  # "approved" or "rejected" once decided
    decided_by: str | None = None
    reason: str | None = None
    can_decide: bool = True  # Approve and Reject are offered


@dataclass(frozen=True)
class Step:
    """An onboarding step as the welcome DM and `status` show it."""

    key: str
    title: str
    done: bool
    completes: str  # how it is completed ("button", "forum", …)
    link: str = ""  # where a step outside the bot is done


@dataclass(frozen=True)
class Welcome(Message):
    """The DM of a new ambassador: the term, the onboarding checklist and where to start."""

    kind: ClassVar[Literal["welcome"]] = "welcome"
    name: str = ""
    program: str = ""
    term_end: str | None = None  # ISO
    guidelines_url: str | None = None
    ambassador_channel: str | None = None
    steps: tuple[Step, ...] = ()

    @property
    def can_ack_guidelines(self) -> bool:
        """The "I have read the guidelines" button is offered while that step is open."""
        return any(s.key == "guidelines" and not s.done for s in self.steps)


@dataclass(frozen=True)
class Rejected(Message):
    """The applicant's DM when a moderator rejects the application, with the reason."""

    kind: ClassVar[Literal["rejected"]] = "rejected"
    name: str = ""
    reason: str = ""
    program: str = ""
