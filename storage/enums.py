"""Closed sets of values that the program decides and storage keeps, spelled once.

Each is a `StrEnum`, so a member is stored and compared as its plain text ("slack") and the rows
already written stay valid; a typo becomes an error mypy catches instead of a record no query finds.
The status columns stay `Mapped[str]` (no migration): a member is written as its text, and a value
read back is a str that compares equal to the member, so `row.status == ApplicationStatus.PENDING`.
"""

from __future__ import annotations

from enum import StrEnum


class Platform(StrEnum):
    """Where something happened: the audit trail's `platform`, the source of an inbound
    delivery, the platform a checklist step was ticked on."""

    SLACK = "slack"
    DISCOURSE = "discourse"
    CLI = "cli"  # an operator at the command line (ambassador-bot …)
    BOT = "bot"  # the bot itself, e.g. a scheduled sweep


class ApplicationStatus(StrEnum):
    """Where an application to the programme stands (`applications.status`). Only a pending one
    can be decided; the decision is final."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class AmbassadorStatus(StrEnum):
    """An ambassador's term (`ambassadors.status`): active until the term ends, then alumni.
    "lapsed" (a term that ran out unrenewed) is read by the reports and the forum sync as a
    former ambassador too."""

    ACTIVE = "active"
    ALUMNI = "alumni"
    LAPSED = "lapsed"


class BadgeGrantStatus(StrEnum):
    """A forum badge the bot gave or saw (`badge_grants.status`): pending while the grant waits in
    the outbox, granted once the forum has it, revoked when taken away (by the bot or the forum)."""

    PENDING = "pending"
    GRANTED = "granted"
    REVOKED = "revoked"


# A grant the person holds or is about to hold: the one to revoke, or not to give twice.
BADGE_HELD = (BadgeGrantStatus.PENDING, BadgeGrantStatus.GRANTED)


class MembershipStatus(StrEnum):
    """Someone's place in a forum group as the bot last knew it (`group_memberships.status`)."""

    MEMBER = "member"
    REMOVED = "removed"


class NominationStatus(StrEnum):
    """A nomination of someone for the programme (`nominations.status`): pending until a
    moderator invites the nominee to apply or declines."""

    PENDING = "pending"
    INVITED = "invited"
    DECLINED = "declined"


class UserGroupStatus(StrEnum):
    """A user group request (`user_groups.status`): pending (waiting for review) → needs_changes ↔
    pending → approved (handover in progress) → official; or rejected; an approved or official
    group a moderator retires (it no longer meets) is retired."""

    PENDING = "pending"
    NEEDS_CHANGES = "needs_changes"
    APPROVED = "approved"
    OFFICIAL = "official"
    REJECTED = "rejected"
    RETIRED = "retired"


class OutboxStatus(StrEnum):
    """A message waiting to go out (`outbox.status`): pending → in_flight (a worker holds it) →
    delivered, or failed after its last attempt (an operator may retry it: pending again);
    cancelled when erasing a person drops it."""

    PENDING = "pending"
    IN_FLIGHT = "in_flight"
    DELIVERED = "delivered"
    FAILED = "failed"
    CANCELLED = "cancelled"


# A message still to go out: not yet sent, or held by a worker right now.
OUTBOX_WAITING = (OutboxStatus.PENDING, OutboxStatus.IN_FLIGHT)


class RequestStatus(StrEnum):
    """A hardware, swag or expense request (`requests.status`): pending ↔ info_requested while
    the moderators decide, then approved or rejected; an approved one is closed as shipped
    (hardware, swag) or reimbursed (expenses)."""

    PENDING = "pending"
    INFO_REQUESTED = "info_requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    SHIPPED = "shipped"
    REIMBURSED = "reimbursed"


class EventSeriesStatus(StrEnum):
    """A meetup series (`event_series.status`). Every series the bot keeps is active today; the
    column leaves room for retiring one."""

    ACTIVE = "active"


class OccurrenceStatus(StrEnum):
    """One occurrence of a series: scheduled unless an override (`occurrence_overrides.status`)
    cancelled it (people are told) or skipped it (quietly). "scheduled" is never stored."""

    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"
    SKIPPED = "skipped"


class BookingStatus(StrEnum):
    """A booked office-hours slot (`bookings.status`): booked until the person cancels it."""

    BOOKED = "booked"
    CANCELLED = "cancelled"


class ReminderStatus(StrEnum):
    """A reminder that came due (`reminders.status`): sent, or skipped as not worth sending."""

    SENT = "sent"
    SKIPPED = "skipped"
