"""Moderators decide on requests (approve, with two approvals above the threshold; reject; ask
for information), the requester answers, and approved requests are closed (shipped, reimbursed)."""

from __future__ import annotations

from bot.program.errors import Conflict, NotAllowed
from bot.program.permissions import Permission, Subject
from bot.program.requests.base import RequestBase
from bot.program.requests.kinds import CLOSING, STATUS_LABELS
from bot.program.requests.views import UNDECIDED, Decision, RequestView
from storage.enums import Platform, RequestStatus


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

    async def approve(
        self, request_id: int, moderator: str, channel: str | None = None, ts: str | None = None
    ) -> Decision:
        await self._require_moderator(moderator, "approve", request_id)
        now = self._clock.now()
        async with self._uow() as uow:
            req = await self._load(uow, request_id)
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
                change = "approval_recorded"
                await uow.audit.record(
                    at=now,
                    actor=moderator,
                    platform=Platform.SLACK,
                    action="request.approval_recorded",
                    subject_type="request",
                    subject_id=req.id,
                    after={"approvals": len(approvers), "needed": req.approvals_needed},
                )
            else:
                change = RequestStatus.APPROVED
                await self._check_budget(uow, req, now)
                if not await uow.requests.move(
                    req.id, UNDECIDED, RequestStatus.APPROVED, decided_at=now, decided_by=moderator
                ):
                    raise Conflict(f"{req.reference} was decided by someone else a moment ago.")
                await uow.audit.record(
                    at=now,
                    actor=moderator,
                    platform=Platform.SLACK,
                    action="request.approved",
                    subject_type="request",
                    subject_id=req.id,
                    before={"status": req.status},
                    after={"status": RequestStatus.APPROVED, "approvers": approvers},
                )
            decision = await self._after_change(uow, req.id, change, moderator, None, channel, ts, now)
        self._signal.kick()
        return decision

    async def reject(
        self, request_id: int, moderator: str, reason: str, channel: str | None = None, ts: str | None = None
    ) -> Decision:
        text = self._note_text(reason, "reason", "Please give a reason for the requester.")
        await self._require_moderator(moderator, "reject", request_id)
        now = self._clock.now()
        async with self._uow() as uow:
            req = await self._load(uow, request_id)
            await self._lock(uow, req, UNDECIDED, now)
            if not await uow.requests.move(
                req.id,
                UNDECIDED,
                RequestStatus.REJECTED,
                decided_at=now,
                decided_by=moderator,
                closed_at=now,
                closed_by=moderator,
            ):
                raise Conflict(f"{req.reference} was decided by someone else a moment ago.")
            await uow.requests.add_note(req.id, moderator, "reason", text, now)
            await uow.audit.record(
                at=now,
                actor=moderator,
                platform=Platform.SLACK,
                action="request.rejected",
                subject_type="request",
                subject_id=req.id,
                before={"status": req.status},
                after={"status": RequestStatus.REJECTED, "reason": text},
            )
            decision = await self._after_change(
                uow, req.id, RequestStatus.REJECTED, moderator, text, channel, ts, now
            )
        self._signal.kick()
        return decision

    async def ask(
        self,
        request_id: int,
        moderator: str,
        question: str,
        channel: str | None = None,
        ts: str | None = None,
    ) -> Decision:
        text = self._note_text(question, "question", "Please write what you need to know.")
        await self._require_moderator(moderator, "ask", request_id)
        now = self._clock.now()
        async with self._uow() as uow:
            req = await self._load(uow, request_id)
            await self._lock(uow, req, UNDECIDED, now)
            await uow.requests.move(req.id, UNDECIDED, RequestStatus.INFO_REQUESTED)
            await uow.requests.add_note(req.id, moderator, "question", text, now)
            await uow.audit.record(
                at=now,
                actor=moderator,
                platform=Platform.SLACK,
                action="request.info_requested",
                subject_type="request",
                subject_id=req.id,
                before={"status": req.status},
                after={"status": RequestStatus.INFO_REQUESTED, "question": text},
            )
            decision = await self._after_change(
                uow, req.id, RequestStatus.INFO_REQUESTED, moderator, text, channel, ts, now
            )
        self._signal.kick()
        return decision

    async def answer(self, request_id: int, requester: str, answer: str) -> Decision:
        text = self._note_text(answer, "answer", "Please write your answer.")
        now = self._clock.now()
        async with self._uow() as uow:
            req = await self._load(uow, request_id)
            if req.requester_slack_id != requester:
                raise NotAllowed(f"Only the person who made {req.reference} can answer for it.")
            if not await uow.requests.lock(req.id, (RequestStatus.INFO_REQUESTED,), now):
                raise Conflict(f"{req.reference} is not waiting for an answer any more.")
            await uow.requests.move(req.id, (RequestStatus.INFO_REQUESTED,), RequestStatus.PENDING)
            await uow.requests.add_note(req.id, requester, "answer", text, now)
            await uow.audit.record(
                at=now,
                actor=requester,
                platform=Platform.SLACK,
                action="request.info_answered",
                subject_type="request",
                subject_id=req.id,
                before={"status": RequestStatus.INFO_REQUESTED},
                after={"status": RequestStatus.PENDING, "answer": text},
            )
            decision = await self._after_change(uow, req.id, "answered", requester, text, None, None, now)
        self._signal.kick()
        return decision

    async def close(
        self, request_id: int, moderator: str, channel: str | None = None, ts: str | None = None
    ) -> Decision:
        """Mark an approved request shipped (hardware, swag) or reimbursed (expense): closed."""
        await self._require_moderator(moderator, "close", request_id)
        now = self._clock.now()
        async with self._uow() as uow:
            req = await self._load(uow, request_id)
            outcome = CLOSING[req.kind]
            if not await uow.requests.lock(req.id, (RequestStatus.APPROVED,), now):
                if req.status in UNDECIDED:
                    raise Conflict(f"{req.reference} has to be approved before it can be marked {outcome}.")
                raise Conflict(f"{req.reference} is already {STATUS_LABELS.get(req.status, req.status)}.")
            await uow.requests.move(
                req.id, (RequestStatus.APPROVED,), outcome, closed_at=now, closed_by=moderator
            )
            await uow.audit.record(
                at=now,
                actor=moderator,
                platform=Platform.SLACK,
                action=f"request.{outcome}",
                subject_type="request",
                subject_id=req.id,
                before={"status": RequestStatus.APPROVED},
                after={"status": outcome},
            )
            decision = await self._after_change(uow, req.id, outcome, moderator, None, channel, ts, now)
        self._signal.kick()
        return decision
