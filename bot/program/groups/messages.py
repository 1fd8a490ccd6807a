"""The outbox messages of user groups: the review card ("group_review") and the overlap card for
the ambassadors ("group_conflict"), the requester's outcome ("group_outcome"), the mentor's
("group_mentor"), the handover checklist ("group_handover") and the recognition message
("group_recognition").

Their fields are the keys the dict data had, so rows queued before keep decoding. Which buttons a
card offers is decided here (`actions`, `can_tick`), not by the renderer.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import ClassVar, Literal

from bot.program.messages import Message
from storage.enums import UserGroupStatus

# What a reviewer may do from a card.
APPROVE, REJECT, CHANGES, ASK_AMBASSADORS, OBJECT, RESOLVE = (
    "approve",
    "reject",
    "changes",
    "ask_ambassadors",
    "object",
    "resolve",
)


@dataclass(frozen=True)
class GroupFlag:
    """A screening flag: its code and the reason, as "it <reason>"."""

    code: str = ""
    reason: str = ""


@dataclass(frozen=True)
class GroupOverlap:
    """The live group a request overlaps with."""

    id: int
    title: str = ""
    status: str = ""
    reason: str = ""


@dataclass(frozen=True)
class _AboutGroup:
    """A message about one group request: its number and title."""

    group_id: int
    title: str = ""


@dataclass(frozen=True)
class _GroupCard(_AboutGroup):
    """A user group request as reviewers see it."""

    revision: int = 1
    requested_name: str = ""
    city: str = ""
    region: str = ""
    country: str = ""
    coordinates: str = ""
    website: str = ""
    links: str = ""
    description: str = ""
    requester: str | None = None
    organisers: tuple[str, ...] = ()
    flags: tuple[GroupFlag, ...] = ()
    missing: tuple[str, ...] = ()
    overlap: GroupOverlap | None = None
    conflict: str = ""  # "" | open | resolved
    conflict_by: str | None = None
    objected_by: str | None = None
    auto_approve_hours: float = 0.0
    status: str = ""
    decided_by: str | None = None
    reason: str | None = None
    change_request: str | None = None
    mentor: str | None = None

    @property
    def auto_approves(self) -> bool:
        """Whether the bot approves it by itself unless someone objects."""
        return self.auto_approve_hours > 0 and not self.objected_by and not self.flags

    @property
    def actions(self) -> tuple[str, ...]:
        """The decisions left on the review card."""
        if self.status != UserGroupStatus.PENDING:
            return ()
        out = [APPROVE, REJECT, CHANGES]
        if self.overlap and not self.conflict:
            out.append(ASK_AMBASSADORS)
        if self.auto_approve_hours > 0 and not self.objected_by:
            out.append(OBJECT)
        return tuple(out)


@dataclass(frozen=True)
class GroupReview(_GroupCard, Message):
    """The review card in the review channel, redrawn at every change."""

    kind: ClassVar[Literal["group_review"]] = "group_review"


@dataclass(frozen=True)
class GroupConflict(_GroupCard, Message):
    """The overlap, put to the ambassadors; `asked_by` sent it."""

    kind: ClassVar[Literal["group_conflict"]] = "group_conflict"
    asked_by: str | None = None

    @classmethod
    def of(cls, review: GroupReview, asked_by: str | None = None) -> GroupConflict:
        """The overlap card of a request: its review card, for the ambassadors."""
        return cls(**{f.name: getattr(review, f.name) for f in fields(review)}, asked_by=asked_by)

    @property
    def actions(self) -> tuple[str, ...]:
        return () if self.conflict == "resolved" else (RESOLVE,)


@dataclass(frozen=True)
class GroupOutcome(_AboutGroup, Message):
    """The requester is told: approved (with the mentor), needs changes (what), or rejected (why,
    with the link to what a user group is)."""

    kind: ClassVar[Literal["group_outcome"]] = "group_outcome"
    outcome: str = ""
    text: str = ""
    command: str = "/ambassador"
    mentor: str | None = None
    what_is: str = ""


@dataclass(frozen=True)
class GroupMentor(_AboutGroup, Message):
    """The ambassador chosen as mentor is told."""

    kind: ClassVar[Literal["group_mentor"]] = "group_mentor"
    requester: str | None = None
    by: str | None = None


@dataclass(frozen=True)
class HandoverStepLine:
    """A step of the handover checklist: who may tick it, and when it was done."""

    key: str
    title: str
    who: tuple[str, ...] = ()
    needs: str = ""
    done: bool = False
    by: str | None = None
    at: str | None = None  # ISO instant
    value: str | None = None


@dataclass(frozen=True)
class GroupHandover(_AboutGroup, Message):
    """The official group handover checklist in the review channel."""

    kind: ClassVar[Literal["group_handover"]] = "group_handover"
    mentor: str | None = None
    status: str = ""
    steps: tuple[HandoverStepLine, ...] = ()

    @property
    def can_tick(self) -> bool:
        """Steps can be ticked while the handover runs (not once the group is official)."""
        return self.status == UserGroupStatus.APPROVED

    @property
    def done(self) -> int:
        return sum(1 for s in self.steps if s.done)


@dataclass(frozen=True)
class GroupRecognition(Message):
    """The recognition message to a leader, rendered from the configured template (its values
    escaped by the service)."""

    kind: ClassVar[Literal["group_recognition"]] = "group_recognition"
    title: str = ""
    text: str = ""


@dataclass(frozen=True)
class ForumRecognition(Message):
    """The recognition private message to a leader on the forum: title and text rendered from
    the configured templates (`[groups] recognition_title`, `recognition_template`)."""

    kind: ClassVar[Literal["forum_recognition"]] = "forum_recognition"
    title: str
    text: str
