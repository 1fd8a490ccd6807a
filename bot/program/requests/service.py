"""Requests: hardware for a project or event demo, expense claims and swag.

A request is submitted from a form suited to its kind, gets a reference the requester can quote
(HW-0007, EX-0012, SW-0003) and goes to the moderators' review queue. Moderators approve, reject
or ask for information; approved requests are closed by marking them shipped (hardware, swag) or
reimbursed (expenses). Budget limits come from `[requests.<kind>]` in the config: a cap per
request, a threshold above which two different moderators must approve, and a quarterly budget.
The requester gets a direct message at every change of status."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from bot.program import home, outbox
from bot.program.errors import Conflict, InvalidInput, NotAllowed, NotFound
from bot.program.permissions import Permission, Subject
from bot.program.requests.deciding import Deciding
from bot.program.requests.kinds import KIND_LABELS, KINDS
from bot.program.requests.validation import validate_request
from bot.program.requests.views import (
    MAX_OPEN_PER_PERSON,
    RequestView,
    SubmitResult,
    parse_reference,
)
from storage.enums import AmbassadorStatus, RequestStatus
from storage.requests import Request
from storage.uow import UnitOfWork


class RequestService(Deciding):
    """Requests: asking, reading (this module) and deciding (bot.program.requests.deciding)."""

    async def can_request(self, slack_user_id: str, kind: str) -> None:
        """Raise when this person may not open a request of this kind (checked before the form
        is shown, and again on submission)."""
        if kind not in KINDS:
            raise InvalidInput(f"Choose a kind of request: {', '.join(KINDS)}.")
        async with self._uow() as uow:
            await self._check_can_request(uow, slack_user_id, kind)

    async def _check_can_request(self, uow: UnitOfWork, slack_user_id: str, kind: str) -> None:
        if not self._settings.requests.kind(kind).enabled:
            raise Conflict(f"{KIND_LABELS[kind]} requests are turned off in this program.")
        person = await uow.people.by_slack_id(slack_user_id)
        if self._settings.requests.ambassadors_only:
            amb = await uow.ambassadors.for_person(person.id) if person else None
            if amb is None or amb.status != AmbassadorStatus.ACTIVE:
                raise NotAllowed(
                    "Requests are for active ambassadors. "
                    f"Type `{self._settings.slack.command} status` to see where you stand."
                )
        if len(await uow.requests.open_for(slack_user_id)) >= MAX_OPEN_PER_PERSON:
            raise Conflict(
                f"You have {MAX_OPEN_PER_PERSON} open requests; please wait until some are closed."
            )

    async def submit(
        self,
        slack_user_id: str,
        kind: str,
        form: Mapping[str, str | None],
        files: Sequence[Mapping[str, Any]] = (),
        display_name: str = "",
    ) -> SubmitResult:
        now = self._clock.now()
        cleaned = validate_request(kind, form, files, today=now.date(), settings=self._settings)
        needed = 1
        if cleaned.amount is not None and cleaned.currency is not None:
            threshold = self._settings.requests.kind(kind).two_approvers_above.get(cleaned.currency)
            if threshold is not None and cleaned.amount > threshold:
                needed = 2
        async with self._uow() as uow:
            await self._check_can_request(uow, slack_user_id, kind)
            person = await uow.people.get_or_create_slack(slack_user_id, display_name)
            req = await uow.requests.add(
                Request(
                    kind=kind,
                    person_id=person.id,
                    requester_slack_id=slack_user_id,
                    status=RequestStatus.PENDING,
                    summary=cleaned.summary[:200],
                    details=cleaned.details,
                    amount=cleaned.amount,
                    currency=cleaned.currency,
                    on_date=cleaned.on_date,
                    approvals_needed=needed,
                    version=1,
                    created_at=now,
                    updated_at=now,
                )
            )
            view = await self._view(uow, req)
            after: dict[str, Any] = {
                "status": RequestStatus.PENDING,
                "kind": kind,
                "reference": view.reference,
                "summary": view.summary,
                "approvals_needed": needed,
            }
            if view.amount is not None:
                after.update(amount=str(view.amount), currency=view.currency)
            await self._audit(uow, slack_user_id, now, req.id, "request.submitted", after)
            if self.review_channel:
                delivered = {"type": "request_review", "request_id": req.id}
                key = f"request:{req.id}:review"
                await outbox.post(
                    uow, key, self.review_channel, self._card(view), now, on_delivered=delivered
                )
            await self._tell_requester(uow, view, "submitted", slack_user_id, None, now)
            await home.queue_refresh(uow, self._settings, self._roles, slack_user_id, now)
        self._signal.kick()
        return SubmitResult(view.id, view.reference, needed)

    async def mine(self, slack_user_id: str, limit: int = 20) -> tuple[list[RequestView], int]:
        async with self._uow() as uow:
            rows, total = await uow.requests.for_requester(slack_user_id, limit)
            return [await self._view(uow, r, with_notes=False) for r in rows], total

    async def show(self, actor: str, ref: str) -> RequestView:
        """One request with its approvals and conversation: for its requester and moderators."""
        request_id = parse_reference(ref)
        shown = re.sub(r"[<>&*_`~]", "", ref.strip())[:20]
        if request_id is None:
            raise InvalidInput(f"“{shown}” is not a request reference; they look like HW-0007.")
        async with self._uow() as uow:
            req = await uow.requests.get(request_id)
            if req is None or (
                req.requester_slack_id != actor
                and not await self._guard.allows(actor, Permission.REQUEST_READ_ANY)
            ):
                raise NotFound(f"There is no request {shown} of yours.")
            return await self._view(uow, req)

    async def queue(self, actor: str, limit: int = 20) -> tuple[list[RequestView], int]:
        await self._guard.require(actor, Permission.REQUEST_QUEUE, Subject("queue"))
        async with self._uow() as uow:
            rows, total = await uow.requests.open_queue(limit)
            return [await self._view(uow, r, with_notes=False) for r in rows], total
