"""What the parts of the request workflow share: dependencies, loading and locking a request,
the budget check, the view of a request and the messages sent when it changes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields as dataclass_fields
from datetime import datetime
from typing import Any

from bot.program import audit, home, outbox
from bot.program.errors import Conflict, InvalidInput, NotFound
from bot.program.messages import MessageRef, slack_message
from bot.program.money import fmt
from bot.program.permissions import GuardedService, Permission, Subject
from bot.program.requests.kinds import CLOSING, KIND_LABELS, STATUS_LABELS
from bot.program.requests.messages import RequestChanged, RequestNote, RequestReview
from bot.program.requests.validation import clean
from bot.program.requests.views import (
    MAX_NOTE,
    Decision,
    NoteView,
    RequestView,
    fields_for_display,
    quarter_start,
)
from storage.requests import Request
from storage.uow import UnitOfWork


class RequestBase(GuardedService):
    """The state and helpers the asking, reading and deciding parts share."""

    @property
    def review_channel(self) -> str:
        return self._settings.requests.review_channel or self._settings.slack.moderator_channel

    @staticmethod
    def _note_text(value: str, key: str, empty: str) -> str:
        text = clean(value)
        if not text:
            raise InvalidInput(empty, {key: empty})
        if len(text) > MAX_NOTE:
            msg = f"Please keep this under {MAX_NOTE} characters (it has {len(text)})."
            raise InvalidInput(msg, {key: msg})
        return text

    async def _require_moderator(self, actor: str, action: str, request_id: int) -> None:
        """`action` is approve, reject, ask or close."""
        await self._guard.require(actor, Permission(f"request.{action}"), Subject(request_id))

    @staticmethod
    async def _load(uow: UnitOfWork, request_id: int) -> Request:
        req = await uow.requests.get(request_id)
        if req is None:
            raise NotFound(f"Request #{request_id} does not exist.")
        return req

    @staticmethod
    async def _lock(uow: UnitOfWork, req: Request, statuses: Sequence[str], now: datetime) -> None:
        if not await uow.requests.lock(req.id, statuses, now):
            fresh = await uow.requests.get(req.id)
            status = fresh.status if fresh else req.status
            raise Conflict(f"{req.reference} is already {STATUS_LABELS.get(status, status)}.")

    async def _check_budget(self, uow: UnitOfWork, req: Request, now: datetime) -> None:
        if req.amount is None or req.currency is None:
            return
        budget = self._settings.requests.kind(req.kind).quarterly_budget.get(req.currency)
        if budget is None:
            return
        spent = await uow.requests.spent_since(req.kind, req.currency, quarter_start(now))
        if spent + req.amount > budget:
            raise Conflict(
                f"Approving {req.reference} would bring this quarter's {req.kind} spend to "
                f"{fmt(spent + req.amount, req.currency)}, over the budget of {fmt(budget, req.currency)}. "
                "Nothing changed."
            )

    async def _view(self, uow: UnitOfWork, req: Request, with_notes: bool = True) -> RequestView:
        notes: tuple[NoteView, ...] = ()
        if with_notes:
            notes = tuple(NoteView(n.at, n.author, n.kind, n.text) for n in await uow.requests.notes(req.id))
        return RequestView(
            id=req.id,
            reference=req.reference,
            kind=req.kind,
            status=req.status,
            summary=req.summary,
            requester=req.requester_slack_id,
            amount=req.amount,
            currency=req.currency,
            on_date=req.on_date,
            created_at=req.created_at,
            updated_at=req.updated_at,
            approvals_needed=req.approvals_needed,
            version=req.version,
            approvers=tuple(await uow.requests.approvers(req.id)),
            details=dict(req.details or {}),
            notes=notes,
        )

    def _card(self, view: RequestView) -> RequestReview:
        """The review card of a request (also the body of the requester's messages)."""
        return RequestReview(
            id=view.id,
            reference=view.reference,
            request_kind=view.kind,
            kind_label=KIND_LABELS.get(view.kind, view.kind),
            status=view.status,
            status_label=view.status_label,
            summary=view.summary,
            requester=view.requester,
            amount=str(view.amount) if view.amount is not None else None,
            amount_text=view.amount_text,
            currency=view.currency,
            created_at=view.created_at.isoformat(),
            fields=tuple(fields_for_display(view.kind, view.details, view.amount_text)),
            approvers=view.approvers,
            approvals_needed=view.approvals_needed,
            closing=CLOSING.get(view.kind, "closed"),
            notes=tuple(
                RequestNote(n.at.isoformat(), n.author, n.kind, n.text[:1500]) for n in view.notes[-6:]
            ),
            command=self._settings.slack.command,
        )

    async def _tell_requester(
        self, uow: UnitOfWork, view: RequestView, change: str, actor: str, text: str | None, now: datetime
    ) -> None:
        card = {f.name: getattr(self._card(view), f.name) for f in dataclass_fields(RequestReview)}
        message = RequestChanged(**card, change=change, by=actor, text=text)
        await outbox.dm(uow, f"request:{view.id}:dm:v{view.version}", view.requester, message, now)

    @staticmethod
    async def _audit(
        uow: UnitOfWork,
        actor: str,
        now: datetime,
        request_id: int,
        action: str,
        after: dict[str, Any],
        before: dict[str, Any] | None = None,
    ) -> None:
        """The audit line of a change to a request (every change comes from Slack)."""
        await audit.log(uow, now, actor, action, ("request", request_id), before=before, after=after)

    async def _after_change(
        self,
        uow: UnitOfWork,
        request_id: int,
        change: str,
        actor: str,
        text: str | None,
        ref: MessageRef | None,
        now: datetime,
    ) -> Decision:
        """Tell the requester, redraw the review card (where it was posted, else where the click
        came from) and the requester's Home tab."""
        req = await self._load(uow, request_id)  # fresh: status, version and notes as now stored
        view = await self._view(uow, req)
        await self._tell_requester(uow, view, change, actor, text, now)
        posted = slack_message(req.review_channel, req.review_ts)
        await outbox.redraw(
            uow, f"request:{req.id}:review:v{req.version}", posted, ref, self._card(view), now
        )
        await home.queue_refresh(uow, self._settings, self._roles, view.requester, now)
        return Decision(view, change)
