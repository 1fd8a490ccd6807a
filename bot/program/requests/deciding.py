"""Moderators decide on requests (approve, with two approvals above the threshold; reject; ask
for information), the requester answers, and approved requests are closed (shipped, reimbursed).

Every decision is one step (`_decide`): load the request, lock it in the statuses it may be
decided from, make the change (`_move`: the new status, the note, the audit line), then tell the
requester and redraw the review card the decision came from (`ref`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any

from bot.program.errors import Conflict, NotAllowed
from bot.program.messages import MessageRef
from bot.program.permissions import Permission, Subject
from bot.program.requests.base import RequestBase
from bot.program.requests.kinds import CLOSING, STATUS_LABELS
from bot.program.requests.views import UNDECIDED, Decision, RequestView
from storage.enums import RequestStatus
from storage.requests import Request
from storage.uow import UnitOfWork

# A decision's own part: given the locked request, make the change; (change, note text) back.
Change = Callable[[UnitOfWork, Request, datetime], Awaitable[tuple[str, str | None]]]


class Deciding(RequestBase):
    """Approve, reject, ask, answer and close."""

    async def ensure_can_decide(self, actor: str, request_id: int, action: str) -> RequestView:
        """Quick checks before a moderator's modal opens (reject reason, question)."""
        await self._require_moderator(actor, action, request_id)
        async with self._uow() as uow:
            req = await self._load(uow, request_id)
            if req.status not in UNDECIDED:
                raise Conflict(f"{req.reference} is already {STATUS_LABELS.get(req.status, req.status)}.")
            return await self._view(uow, req, with_notes=False)

    async def ensure_can_answer(self, actor: str, request_id: int) -> RequestView:
        async with self._uow() as uow:
            req = await self._load(uow, request_id)
            if req.requester_slack_id != actor:
                raise NotAllowed(f"Only the person who made {req.reference} can answer for it.")
            if req.status != RequestStatus.INFO_REQUESTED:
                raise Conflict(f"{req.reference} is not waiting for an answer any more.")
            return await self._view(uow, req)

    async def _decide(self, request_id: int, actor: str, ref: MessageRef | None, change: Change) -> Decision:
        """The one decide step: `change` runs on the loaded request in one unit of work."""
        now = self._clock.now()
        async with self._uow() as uow:
            req = await self._load(uow, request_id)
            what, text = await change(uow, req, now)
            decision = await self._after_change(uow, req.id, what, actor, text, ref, now)
        self._signal.kick()
        return decision

    async def _move(
        self,
        uow: UnitOfWork,
        req: Request,
        actor: str,
        now: datetime,
        to: str,
        from_: Sequence[str] = UNDECIDED,
        note: tuple[str, str] | None = None,
        after: dict[str, Any] | None = None,
        action: str | None = None,
        **stamps: Any,
    ) -> None:
        """Move a locked request on to `to`, with the note (kind, text) and the audit line."""
        before = from_[0] if len(from_) == 1 else req.status
        if not await uow.requests.move(req.id, from_, to, **stamps):
            raise Conflict(f"{req.reference} was decided by someone else a moment ago.")
        if note is not None:
            await uow.requests.add_note(req.id, actor, note[0], note[1], now)
        after = {"status": to, **(after or {})}
        await self._audit(uow, actor, now, req.id, action or f"request.{to}", after, {"status": before})

    async def approve(self, request_id: int, moderator: str, ref: MessageRef | None = None) -> Decision:
        await self._require_moderator(moderator, "approve", request_id)

        async def change(uow: UnitOfWork, req: Request, now: datetime) -> tuple[str, str | None]:
            if req.requester_slack_id == moderator:
                await self._guard.refuse(
                    moderator,
                    Permission.REQUEST_APPROVE,
                    Subject(
                        request_id,
                        message=f"You can't approve your own request {req.reference}; "
                        "another moderator has to.",
                    ),
                    after={"why": "own request"},
                )
            await self._lock(uow, req, UNDECIDED, now)
            if not await uow.requests.add_approval(req.id, moderator, now):
                raise Conflict(
                    f"You have already approved {req.reference}; it needs another moderator's approval."
                )
            approvers = await uow.requests.approvers(req.id)
            if len(approvers) < req.approvals_needed:
                after = {"approvals": len(approvers), "needed": req.approvals_needed}
                await self._audit(uow, moderator, now, req.id, "request.approval_recorded", after)
                return "approval_recorded", None
            await self._check_budget(uow, req, now)
            to, who = RequestStatus.APPROVED, {"approvers": approvers}
            await self._move(uow, req, moderator, now, to, after=who, decided_at=now, decided_by=moderator)
            return to, None

        return await self._decide(request_id, moderator, ref, change)

    async def reject(
        self, request_id: int, moderator: str, reason: str, ref: MessageRef | None = None
    ) -> Decision:
        text = self._note_text(reason, "reason", "Please give a reason for the requester.")
        await self._require_moderator(moderator, "reject", request_id)
        return await self._with_note(request_id, moderator, RequestStatus.REJECTED, ("reason", text), ref)

    async def ask(
        self, request_id: int, moderator: str, question: str, ref: MessageRef | None = None
    ) -> Decision:
        text = self._note_text(question, "question", "Please write what you need to know.")
        await self._require_moderator(moderator, "ask", request_id)
        return await self._with_note(
            request_id, moderator, RequestStatus.INFO_REQUESTED, ("question", text), ref
        )

    async def _with_note(
        self, request_id: int, moderator: str, to: str, note: tuple[str, str], ref: MessageRef | None
    ) -> Decision:
        """A moderator's decision that comes with a note for the requester: a rejection (which
        closes the request) with its reason, or a question."""

        async def change(uow: UnitOfWork, req: Request, now: datetime) -> tuple[str, str | None]:
            await self._lock(uow, req, UNDECIDED, now)
            stamps: dict[str, Any] = {}
            if to == RequestStatus.REJECTED:
                stamps = {
                    "decided_at": now,
                    "decided_by": moderator,
                    "closed_at": now,
                    "closed_by": moderator,
                }
            await self._move(uow, req, moderator, now, to, note=note, after={note[0]: note[1]}, **stamps)
            return to, note[1]

        return await self._decide(request_id, moderator, ref, change)

    async def answer(self, request_id: int, requester: str, answer: str) -> Decision:
        text = self._note_text(answer, "answer", "Please write your answer.")
        waiting = (RequestStatus.INFO_REQUESTED,)

        async def change(uow: UnitOfWork, req: Request, now: datetime) -> tuple[str, str | None]:
            if req.requester_slack_id != requester:
                raise NotAllowed(f"Only the person who made {req.reference} can answer for it.")
            if not await uow.requests.lock(req.id, waiting, now):
                raise Conflict(f"{req.reference} is not waiting for an answer any more.")
            to = RequestStatus.PENDING
            await self._move(
                uow,
                req,
                requester,
                now,
                to,
                waiting,
                ("answer", text),
                {"answer": text},
                "request.info_answered",
            )
            return "answered", text

        return await self._decide(request_id, requester, None, change)

    async def close(self, request_id: int, moderator: str, ref: MessageRef | None = None) -> Decision:
        """Mark an approved request shipped (hardware, swag) or reimbursed (expense): closed."""
        await self._require_moderator(moderator, "close", request_id)
        approved = (RequestStatus.APPROVED,)

        async def change(uow: UnitOfWork, req: Request, now: datetime) -> tuple[str, str | None]:
            outcome = CLOSING[req.kind]
            if not await uow.requests.lock(req.id, approved, now):
                if req.status in UNDECIDED:
                    raise Conflict(f"{req.reference} has to be approved before it can be marked {outcome}.")
                raise Conflict(f"{req.reference} is already {STATUS_LABELS.get(req.status, req.status)}.")
            await self._move(uow, req, moderator, now, outcome, approved, closed_at=now, closed_by=moderator)
            return outcome, None

        return await self._decide(request_id, moderator, ref, change)
