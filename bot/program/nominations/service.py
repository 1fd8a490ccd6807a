"""`NominationService`: anyone suggests someone once; a moderator invites them to apply, or
declines, once; both sides are told and the review card is redrawn as decided."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.program import outbox
from bot.program.applications.base import record, still_pending
from bot.program.applications.form import clean
from bot.program.errors import Conflict, InvalidInput
from bot.program.messages import MessageRef, slack_message
from bot.program.nominations.messages import NominationInvite, NominationOutcome, NominationReview
from bot.program.permissions import GuardedService, Permission, Subject
from storage.enums import AmbassadorStatus, NominationStatus
from storage.nominations import Nomination

MAX_REASON = 2000
PERMISSION = {
    NominationStatus.INVITED: Permission.NOMINATION_INVITE,
    NominationStatus.DECLINED: Permission.NOMINATION_DECLINE,
}


@dataclass(frozen=True)
class NominationResult:
    """A nomination after a step: pending once made, then invited or declined."""

    nomination_id: int
    nominee: str
    status: NominationStatus


class NominationService(GuardedService):
    async def nominate(self, nominator: str, nominee: str, reason: str) -> NominationResult:
        command = self._settings.slack.command
        reason = clean(reason)
        if nominee == nominator:
            raise Conflict(
                f"You can't nominate yourself, but you can apply: type `{command} apply` to open the form."
            )
        if not reason:
            raise InvalidInput(
                "Please say why you nominate them, e.g. "
                f"`{command} nominate @jane She runs the Berlin meetup`."
            )
        if len(reason) > MAX_REASON:
            raise InvalidInput(
                f"Please keep the reason under {MAX_REASON} characters (it has {len(reason)})."
            )
        now = self._clock.now()
        async with self._uow() as uow:
            person = await uow.people.by_slack_id(nominee)
            if person is not None:
                amb = await uow.ambassadors.for_person(person.id)
                if amb is not None and amb.status == AmbassadorStatus.ACTIVE:
                    raise Conflict(
                        f"<@{nominee}> is already an ambassador (until {amb.term_end:%Y-%m-%d}). Thank you!"
                    )
                pending = await uow.applications.pending_for(person.id)
                if pending is not None:
                    raise Conflict(
                        f"<@{nominee}> has already applied "
                        f"(application #{pending.id} is with the moderators)."
                    )
            existing = await uow.nominations.open_for(nominee)
            if existing is not None:
                state = (
                    "invited to apply"
                    if existing.status == NominationStatus.INVITED
                    else "waiting for the moderators"
                )
                raise Conflict(
                    f"<@{nominee}> was already nominated on {existing.created_at:%Y-%m-%d} ({state})."
                )
            nom = await uow.nominations.add(
                Nomination(
                    nominee_slack_id=nominee,
                    nominator_slack_id=nominator,
                    reason=reason,
                    status=NominationStatus.PENDING,
                    created_at=now,
                )
            )
            after = {"status": NominationStatus.PENDING, "nominee": nominee, "reason": reason}
            await record(uow, now, nominator, "nomination.submitted", ("nomination", nom.id), after=after)
            await outbox.post(
                uow,
                f"nomination:{nom.id}:review",
                self._settings.slack.moderator_channel,
                _review(nom),
                now,
                on_delivered={"type": "nomination_review", "nomination_id": nom.id},
            )
            result = NominationResult(nom.id, nominee, NominationStatus.PENDING)
        self._signal.kick()
        return result

    async def invite(
        self, nomination_id: int, moderator: str, ref: MessageRef | None = None
    ) -> NominationResult:
        return await self._decide(nomination_id, moderator, NominationStatus.INVITED, ref)

    async def decline(
        self, nomination_id: int, moderator: str, ref: MessageRef | None = None
    ) -> NominationResult:
        return await self._decide(nomination_id, moderator, NominationStatus.DECLINED, ref)

    async def _decide(
        self, nomination_id: int, moderator: str, status: NominationStatus, ref: MessageRef | None
    ) -> NominationResult:
        """The one decision step of invite and decline: the moderator check, the nomination leaves
        pending exactly once, the nominee (when invited) and the nominator are told, and the review
        card is redrawn as decided."""
        await self._guard.require(moderator, PERMISSION[status], Subject(nomination_id))
        now = self._clock.now()
        async with self._uow() as uow:
            nom = still_pending(
                await uow.nominations.get(nomination_id),
                "Nomination",
                nomination_id,
                NominationStatus.PENDING,
            )
            if not await uow.nominations.decide(nomination_id, status, moderator, now):
                raise Conflict(f"Nomination #{nomination_id} was decided by someone else a moment ago.")
            before = {"status": NominationStatus.PENDING}
            await record(
                uow,
                now,
                moderator,
                f"nomination.{status}",
                ("nomination", nom.id),
                before,
                {"status": status},
            )
            program = self._settings.program.name
            key = f"nomination:{nom.id}"
            if status == NominationStatus.INVITED:
                invite = NominationInvite(nom.id, nom.nominator_slack_id, nom.reason, program)
                await outbox.dm(uow, f"{key}:invite", nom.nominee_slack_id, invite, now)
            outcome = NominationOutcome(nom.nominee_slack_id, status, program)
            await outbox.dm(uow, f"{key}:nominator", nom.nominator_slack_id, outcome, now)
            review = _review(nom, decision=status, decided_by=moderator, can_decide=False)
            posted = slack_message(nom.review_channel, nom.review_ts)
            await outbox.redraw(uow, f"{key}:review-decided", posted, ref, review, now)
            result = NominationResult(nom.id, nom.nominee_slack_id, status)
        self._signal.kick()
        return result


def _review(
    nom: Nomination,
    *,
    decision: NominationStatus | None = None,
    decided_by: str | None = None,
    can_decide: bool = True,
) -> NominationReview:
    created: datetime = nom.created_at
    return NominationReview(
        nomination_id=nom.id,
        nominee=nom.nominee_slack_id,
        nominator=nom.nominator_slack_id,
        reason=nom.reason,
        created_at=created.isoformat(),
        decision=decision,
        decided_by=decided_by,
        can_decide=can_decide,
    )
