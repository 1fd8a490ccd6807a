"""Nominations: anyone suggests someone; moderators invite them to apply, or decline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.program import outbox
from bot.program.applications import _clean
from bot.program.errors import Conflict, InvalidInput, NotFound
from bot.program.permissions import GuardedService, Permission, Subject
from storage.enums import AmbassadorStatus, NominationStatus, Platform
from storage.nominations import Nomination

MAX_REASON = 2000


@dataclass(frozen=True)
class NominationResult:
    nomination_id: int
    nominee: str


@dataclass(frozen=True)
class NominationDecision:
    nomination_id: int
    nominee: str
    status: NominationStatus


class NominationService(GuardedService):
    async def nominate(self, nominator: str, nominee: str, reason: str) -> NominationResult:
        command = self._settings.slack.command
        reason = _clean(reason)
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
            await uow.audit.record(
                at=now,
                actor=nominator,
                platform=Platform.SLACK,
                action="nomination.submitted",
                subject_type="nomination",
                subject_id=nom.id,
                after={"status": NominationStatus.PENDING, "nominee": nominee, "reason": reason},
            )
            await outbox.queue(
                uow,
                f"nomination:{nom.id}:review",
                outbox.SLACK_POST,
                {
                    "channel": self._settings.slack.moderator_channel,
                    "template": "nomination_review",
                    "data": _review_data(nom),
                    "on_delivered": {"type": "nomination_review", "nomination_id": nom.id},
                },
                now,
            )
            result = NominationResult(nom.id, nominee)
        self._signal.kick()
        return result

    async def invite(
        self, nomination_id: int, moderator: str, channel: str | None = None, ts: str | None = None
    ) -> NominationDecision:
        return await self._decide(nomination_id, moderator, NominationStatus.INVITED, channel, ts)

    async def decline(
        self, nomination_id: int, moderator: str, channel: str | None = None, ts: str | None = None
    ) -> NominationDecision:
        return await self._decide(nomination_id, moderator, NominationStatus.DECLINED, channel, ts)

    async def _decide(
        self,
        nomination_id: int,
        moderator: str,
        status: NominationStatus,
        channel: str | None,
        ts: str | None,
    ) -> NominationDecision:
        verb = "invite" if status == NominationStatus.INVITED else "decline"
        permission = Permission.NOMINATION_INVITE if verb == "invite" else Permission.NOMINATION_DECLINE
        await self._guard.require(moderator, permission, Subject(nomination_id))
        now = self._clock.now()
        async with self._uow() as uow:
            nom = await uow.nominations.get(nomination_id)
            if nom is None:
                raise NotFound(f"Nomination #{nomination_id} does not exist.")
            if nom.status != NominationStatus.PENDING:
                who = f" by <@{nom.decided_by}>" if nom.decided_by else ""
                raise Conflict(f"Nomination #{nomination_id} was already {nom.status}{who}.")
            if not await uow.nominations.decide(nomination_id, status, moderator, now):
                raise Conflict(f"Nomination #{nomination_id} was decided by someone else a moment ago.")
            await uow.audit.record(
                at=now,
                actor=moderator,
                platform=Platform.SLACK,
                action=f"nomination.{status}",
                subject_type="nomination",
                subject_id=nom.id,
                before={"status": NominationStatus.PENDING},
                after={"status": status},
            )
            program = self._settings.program.name
            if status == NominationStatus.INVITED:
                await outbox.queue(
                    uow,
                    f"nomination:{nom.id}:invite",
                    outbox.SLACK_DM,
                    {
                        "user": nom.nominee_slack_id,
                        "template": "nomination_invite",
                        "data": {
                            "nomination_id": nom.id,
                            "nominator": nom.nominator_slack_id,
                            "reason": nom.reason,
                            "program": program,
                        },
                    },
                    now,
                )
            await outbox.queue(
                uow,
                f"nomination:{nom.id}:nominator",
                outbox.SLACK_DM,
                {
                    "user": nom.nominator_slack_id,
                    "template": "nomination_outcome",
                    "data": {"nominee": nom.nominee_slack_id, "status": status, "program": program},
                },
                now,
            )
            review_channel = nom.review_channel or channel
            review_ts = nom.review_ts or ts
            if review_channel and review_ts:
                data = _review_data(nom)
                data.update(decision=status, decided_by=moderator)
                await outbox.queue(
                    uow,
                    f"nomination:{nom.id}:review-decided",
                    outbox.SLACK_UPDATE,
                    {
                        "channel": review_channel,
                        "ts": review_ts,
                        "template": "nomination_review",
                        "data": data,
                    },
                    now,
                )
            result = NominationDecision(nom.id, nom.nominee_slack_id, status)
        self._signal.kick()
        return result


def _review_data(nom: Nomination) -> dict[str, object]:
    created: datetime = nom.created_at
    return {
        "nomination_id": nom.id,
        "nominee": nom.nominee_slack_id,
        "nominator": nom.nominator_slack_id,
        "reason": nom.reason,
        "created_at": created.isoformat(),
    }
