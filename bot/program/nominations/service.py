"""`NominationService`: anyone suggests someone once; a moderator invites them to apply, or
declines, once; both sides are told and the review card is redrawn as decided."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.program import outbox
from bot.program.applications.base import record, still_pending
from bot.program.applications.form import FORUM_USERNAME, clean
from bot.program.errors import Conflict, InvalidInput, NotFound, ProgramError
from bot.program.failures import DeliveryError
from bot.program.forum_accounts import LOOKUP_SECONDS, ForumAccounts, require_account
from bot.program.messages import MessageRef, slack_message
from bot.program.nominations.messages import (
    ForumNominationInvite,
    NominationInvite,
    NominationOutcome,
    NominationReview,
)
from bot.program.permissions import GuardedService, Permission, ServiceDeps, Subject
from storage.enums import AmbassadorStatus, NominationStatus
from storage.nominations import Nomination
from storage.uow import UnitOfWork

log = logging.getLogger("ambassador_bot.nominations")
MAX_REASON = 2000
PERMISSION = {
    NominationStatus.INVITED: Permission.NOMINATION_INVITE,
    NominationStatus.DECLINED: Permission.NOMINATION_DECLINE,
}


@dataclass(frozen=True)
class NominationResult:
    """A nomination after a step: pending once made, then invited or declined."""

    nomination_id: int
    nominee: str  # a Slack id ("" for a forum nominee)
    status: NominationStatus
    nominee_forum: str = ""  # a nominee who is not in Slack, by their forum account


class SlackEmails(Protocol):
    async def by_email(self, email: str) -> str | None:
        """The Slack id of the member with that address, None for nobody; a ProgramError when
        Slack refuses (e.g. without the users:read.email scope)."""
        ...


class ForumEmails(Protocol):
    async def account_for_email(self, email: str) -> str | None:
        """The username of the forum account with that address, None for nobody; a DeliveryError
        when the forum could not answer."""
        ...


@dataclass(frozen=True)
class _Lookup:
    """One place asked who has an address: the account found ("" for none), or not asked."""

    place: str
    found: str = ""
    unasked: bool = False
    why: str = ""  # why it was not asked, for the answer


def _nobody(email: str, *places: _Lookup) -> ProgramError:
    """The one line when no account has the address: NotFound when every place was asked,
    else a Conflict naming the places that could not be asked, and why."""
    asked = [p.place for p in places if not p.unasked]
    unasked = [f"{p.place}{p.why}" for p in places if p.unasked]
    if not unasked:
        return NotFound(
            f"Nobody in Slack or on the forum has the address {email}, so I can't reach them. "
            "Invite them to either, then nominate them again."
        )
    if not asked:
        return Conflict(f"I could not ask {' or '.join(unasked)} who has the address {email}.")
    return Conflict(
        f"Nobody {'in Slack' if asked == ['Slack'] else 'on the forum'} has the address {email}, "
        f"and I could not ask {unasked[0]}."
    )


class NominationService(GuardedService):
    def __init__(
        self,
        deps: ServiceDeps,
        *,
        forum: ForumAccounts | None = None,
        forum_emails: ForumEmails | None = None,
        slack_people: SlackEmails | None = None,
    ) -> None:
        super().__init__(deps, forum=forum)
        self._forum_emails = forum_emails
        self._slack_people = slack_people

    def _reason(self, reason: str) -> str:
        """The nomination's reason, cleaned; InvalidInput when it is missing or too long."""
        reason = clean(reason)
        if not reason:
            raise InvalidInput(
                "Please say why you nominate them, e.g. "
                f"`{self._settings.slack.command} nominate @jane She runs the Berlin meetup`."
            )
        if len(reason) > MAX_REASON:
            raise InvalidInput(
                f"Please keep the reason under {MAX_REASON} characters (it has {len(reason)})."
            )
        return reason

    async def nominate(self, nominator: str, nominee: str, reason: str) -> NominationResult:
        command = self._settings.slack.command
        if nominee == nominator:
            raise Conflict(
                f"You can't nominate yourself, but you can apply: type `{command} apply` to open the form."
            )
        reason = self._reason(reason)
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
            nom = Nomination(nominee_slack_id=nominee, nominator_slack_id=nominator, reason=reason)
            result = await self._add(uow, nom, now)
        self._signal.kick()
        return result

    async def nominate_forum(
        self, nominator: str, username: str, reason: str, nominator_name: str = ""
    ) -> NominationResult:
        """Nominate someone by their forum account: checked on the forum first; someone already
        linked to Slack is nominated as a Slack user, anyone else is invited on the forum."""
        username = username.lstrip("@")
        if not FORUM_USERNAME.match(username):
            raise InvalidInput(f"“{username[:60]}” is not a forum username (letters, digits, _ . and -).")
        if self._forum is None or not self._settings.discourse.enabled:
            raise Conflict(
                "The forum is not connected, so I can only nominate people in Slack: mention them with @."
            )
        reason = self._reason(reason)
        spelled = await require_account(self._forum, username)
        return await self._nominate_account(nominator, spelled, reason, nominator_name)

    async def _nominate_account(
        self, nominator: str, spelled: str, reason: str, nominator_name: str
    ) -> NominationResult:
        """Nominate the forum account `spelled` (as the forum spells it; checked to exist): as its
        linked Slack user when it has one, else as a forum nominee invited by forum PM."""
        async with self._uow() as uow:
            person = await uow.people.by_forum_username(spelled)
        if person is not None and person.slack_user_id and person.forum_linked_at:
            return await self.nominate(nominator, person.slack_user_id, reason)
        now = self._clock.now()
        async with self._uow() as uow:
            existing = await uow.nominations.open_for_forum(spelled)
            if existing is not None:
                raise Conflict(f"{spelled} was already nominated on {existing.created_at:%Y-%m-%d}.")
            nom = Nomination(
                nominee_slack_id="",
                nominee_forum_username=spelled,
                nominator_slack_id=nominator,
                reason=reason,
            )
            result = await self._add(uow, nom, now)
            # The invitation names the nominator as the program knows them, else as Slack does.
            await uow.people.get_or_create_slack(nominator, clean(nominator_name)[:80])
        self._signal.kick()
        return result

    async def nominate_email(
        self, nominator: str, email: str, reason: str, nominator_name: str = ""
    ) -> NominationResult:
        """Nominate someone by their email address: Slack is asked first (users.lookupByEmail),
        then the forum (its admin user list, filtered by email). The first account found is
        nominated as if it had been named (a Slack user, or a forum account invited by forum
        PM); with none, one line says so and nothing is stored. The address itself is never
        stored, logged or audited: only the account it led to."""
        reason = self._reason(reason)
        slack = await self._slack_by_email(email)
        if slack.found:
            return await self.nominate(nominator, slack.found, reason)
        forum = await self._forum_by_email(email)
        if forum.found:
            return await self._nominate_account(nominator, forum.found, reason, nominator_name)
        raise _nobody(email[:100], slack, forum)

    async def _slack_by_email(self, email: str) -> _Lookup:
        """The Slack member with that address; `unasked` when Slack refused (e.g. missing_scope
        without users:read.email) or did not answer within LOOKUP_SECONDS."""
        if self._slack_people is None:
            return _Lookup("Slack", unasked=True)
        try:
            async with asyncio.timeout(LOOKUP_SECONDS):
                return _Lookup("Slack", await self._slack_people.by_email(email) or "")
        except ProgramError as err:
            log.warning("nominate by email: %s", err)  # Slack's error code, never the address
            return _Lookup("Slack", unasked=True, why=f" ({err})")
        except TimeoutError:
            return _Lookup("Slack", unasked=True, why=" (it did not answer in time)")

    async def _forum_by_email(self, email: str) -> _Lookup:
        """The forum account with that address; `unasked` when the forum is not connected, refused
        or did not answer within LOOKUP_SECONDS."""
        emails = self._forum_emails
        if emails is None or not self._settings.discourse.enabled:
            return _Lookup("the forum", unasked=True, why=" (it is not connected)")
        try:
            async with asyncio.timeout(LOOKUP_SECONDS):
                return _Lookup("the forum", await emails.account_for_email(email) or "")
        except (DeliveryError, TimeoutError):
            return _Lookup("the forum", unasked=True, why=" (it did not answer; try again in a minute)")

    async def _add(self, uow: UnitOfWork, nom: Nomination, now: datetime) -> NominationResult:
        """A pending nomination, its audit entry and its review card for the moderators."""
        nom.status, nom.created_at = NominationStatus.PENDING, now
        nom = await uow.nominations.add(nom)
        nominee = nom.nominee_slack_id or f"forum:{nom.nominee_forum_username}"
        after = {"status": NominationStatus.PENDING, "nominee": nominee, "reason": nom.reason}
        await record(
            uow, now, nom.nominator_slack_id, "nomination.submitted", ("nomination", nom.id), after=after
        )
        await outbox.post(
            uow,
            f"nomination:{nom.id}:review",
            self._settings.slack.moderator_channel,
            _review(nom),
            now,
            on_delivered={"type": "nomination_review", "nomination_id": nom.id},
        )
        return NominationResult(
            nom.id, nom.nominee_slack_id, NominationStatus.PENDING, nom.nominee_forum_username or ""
        )

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
                await self._invite(uow, nom, now)
            forum = nom.nominee_forum_username or ""
            outcome = NominationOutcome(nom.nominee_slack_id, status, program, forum)
            await outbox.dm(uow, f"{key}:nominator", nom.nominator_slack_id, outcome, now)
            review = _review(nom, decision=status, decided_by=moderator, can_decide=False)
            posted = slack_message(nom.review_channel, nom.review_ts)
            await outbox.redraw(uow, f"{key}:review-decided", posted, ref, review, now)
            result = NominationResult(nom.id, nom.nominee_slack_id, status, forum)
        self._signal.kick()
        return result

    async def _invite(self, uow: UnitOfWork, nom: Nomination, now: datetime) -> None:
        """The invitation to apply: a DM in Slack, or a forum private message to a forum nominee."""
        program, key = self._settings.program.name, f"nomination:{nom.id}:invite"
        if nom.nominee_slack_id:
            invite = NominationInvite(nom.id, nom.nominator_slack_id, nom.reason, program)
            await outbox.dm(uow, key, nom.nominee_slack_id, invite, now)
            return
        username = nom.nominee_forum_username or ""
        nominator = await uow.people.by_slack_id(nom.nominator_slack_id)
        name = nominator.display_name if nominator is not None else ""
        pm = ForumNominationInvite(username, name, nom.reason, program, self._settings.slack.command)
        await outbox.forum_post(uow, key, pm, now, recipients=username)


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
        nominee_forum=nom.nominee_forum_username or "",
        decision=decision,
        decided_by=decided_by,
        can_decide=can_decide,
    )
