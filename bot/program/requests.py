"""Requests: hardware for a project or event demo, expense claims and swag.

A request is submitted from a form suited to its kind, gets a reference the requester can quote
(HW-0007, EX-0012, SW-0003) and goes to the moderators' review queue. Moderators approve, reject
or ask for information; approved requests are closed by marking them shipped (hardware, swag) or
reimbursed (expenses). Budget limits come from `[requests.<kind>]` in the config: a cap per
request, a threshold above which two different moderators must approve, and a quarterly budget.
The requester gets a direct message at every change of status.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from bot.config import Settings
from bot.program import home, outbox
from bot.program.audit import require_moderator
from bot.program.errors import Conflict, InvalidInput, NotAllowed, NotFound
from bot.program.money import MoneyError, currency_code, fmt, parse_amount
from bot.program.ports import Clock, NoSignal, OutboxSignal
from bot.program.request_kinds import CLOSING, KIND_LABELS, KINDS, STATUS_LABELS
from bot.program.roles import Roles
from storage.requests import REFERENCE_PREFIX, Request
from storage.uow import UnitOfWork

UNDECIDED = ("pending", "info_requested")
MAX_OPEN_PER_PERSON = 20
MAX_NOTE = 2000

_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_REF = re.compile(r"^#?(?:(HW|EX|SW|RQ)-?)?0*([0-9]{1,9})$", re.IGNORECASE)


@dataclass(frozen=True)
class RequestField:
    key: str
    label: str
    max_len: int
    required: bool = True
    multiline: bool = False
    hint: str = ""
    type: str = "text"  # text | url | date | amount | currency | count | file


FIELDS: dict[str, tuple[RequestField, ...]] = {
    "hardware": (
        RequestField(
            "items", "Items", 2000, multiline=True, hint="One per line, e.g. 2 × Raspberry Pi 5 (8 GB)"
        ),
        RequestField("purpose", "What is it for?", 2000, multiline=True),
        RequestField("link", "Event or project link", 500, type="url", hint="https://…"),
        RequestField("shipping_country", "Shipping country", 100),
        RequestField("needed_by", "Date needed", 10, type="date"),
        RequestField(
            "amount",
            "Estimated cost",
            24,
            required=False,
            type="amount",
            hint="Digits and a dot, e.g. 240.00",
        ),
        RequestField(
            "currency",
            "Currency of the estimate",
            3,
            required=False,
            type="currency",
            hint="ISO 4217, e.g. EUR",
        ),
    ),
    "expense": (
        RequestField("amount", "Amount", 24, type="amount", hint="Digits and a dot, e.g. 125.50"),
        RequestField("currency", "Currency", 3, type="currency", hint="ISO 4217 code, e.g. EUR, USD, JPY"),
        RequestField("spent_on", "Date of the expense", 10, type="date"),
        RequestField("description", "What was it for?", 2000, multiline=True),
        RequestField(
            "receipt_url", "Receipt link", 500, required=False, type="url", hint="Or upload the file below"
        ),
        RequestField("receipt_file", "Receipt file", 0, required=False, type="file"),
    ),
    "swag": (
        RequestField("event", "Event", 200, hint="Name and date of the event"),
        RequestField("attendees", "Expected attendees", 7, type="count"),
        RequestField("address", "Shipping address", 1000, multiline=True),
    ),
}


def _clean(value: str | None) -> str:
    text = unicodedata.normalize("NFC", value or "")
    # Drop control characters except newlines and tabs; keep every script and emoji.
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc").strip()


def _first_line(text: str, limit: int = 80) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"


@dataclass(frozen=True)
class Cleaned:
    details: dict[str, str]
    amount: Decimal | None
    currency: str | None
    on_date: date | None
    summary: str


def validate_request(
    kind: str,
    form: Mapping[str, str | None],
    files: Sequence[Mapping[str, Any]] = (),
    *,
    today: date,
    settings: Settings | None = None,
) -> Cleaned:
    """Clean a request form or raise InvalidInput naming each bad field; nothing is stored."""
    if kind not in FIELDS:
        raise InvalidInput(f"Unknown kind of request {kind[:20]!r}; use {', '.join(KINDS)}.")
    limits = settings.requests if settings else None
    details: dict[str, str] = {}
    problems: dict[str, str] = {}
    for spec in FIELDS[kind]:
        if spec.type == "file":
            continue
        value = _clean(form.get(spec.key))
        if spec.required and not value:
            problems[spec.key] = "Please fill this in."
        elif len(value) > spec.max_len and spec.type not in ("amount", "currency"):
            problems[spec.key] = f"Please keep this under {spec.max_len} characters (it has {len(value)})."
        elif value and spec.type == "url" and not _URL.match(value):
            problems[spec.key] = "Please give a web link starting with https://"
        elif value and spec.type == "count":
            if not value.isascii() or not value.isdigit() or not 0 < int(value) <= 1_000_000:
                problems[spec.key] = "Please give a whole number of people, like 40."
            else:
                value = str(int(value))
        elif value and spec.type == "date":
            if not _DATE.match(value):
                problems[spec.key] = "Please pick a date (YYYY-MM-DD)."
            else:
                try:
                    date.fromisoformat(value)
                except ValueError:
                    problems[spec.key] = "That is not a date in the calendar."
        details[spec.key] = value
    currency: str | None = None
    amount: Decimal | None = None
    if details.get("currency") and "currency" not in problems:
        try:
            currency = currency_code(details["currency"], limits.currencies if limits else ())
        except MoneyError as err:
            problems["currency"] = str(err)
    if details.get("amount") and "amount" not in problems:
        try:
            amount = parse_amount(details["amount"], currency or "EUR")
        except MoneyError as err:
            problems["amount"] = str(err)
    if amount is not None and not details.get("currency") and "currency" not in problems:
        problems["currency"] = "Please give the currency of the amount, like EUR."
    if details.get("currency") and not details.get("amount") and "amount" not in problems:
        problems["amount"] = "Please give the amount for this currency, or leave both empty."
    if amount is not None and currency is not None and limits is not None:
        cap = limits.kind(kind).max_amount.get(currency)
        if cap is not None and amount > cap:
            problems["amount"] = (
                f"{KIND_LABELS[kind]} requests are limited to {fmt(cap, currency)} each; "
                "please split it or talk to a moderator."
            )
    on_date: date | None = None
    date_key = {"hardware": "needed_by", "expense": "spent_on"}.get(kind)
    if date_key and details.get(date_key) and date_key not in problems:
        on_date = date.fromisoformat(details[date_key])
        if kind == "hardware" and on_date < today:
            problems[date_key] = "That date has passed; when do you need it?"
        if kind == "expense" and on_date > today:
            problems[date_key] = "That date is in the future; claim an expense once it is made."
    if kind == "expense":
        upload = next(iter(files), None)
        if upload:
            details["receipt_file"] = _clean(str(upload.get("name") or upload.get("title") or "receipt"))[
                :200
            ]
            details["receipt_file_id"] = str(upload.get("id") or "")[:40]
            link = str(upload.get("permalink") or upload.get("url_private") or "")
            details["receipt_file_url"] = link[:500] if _URL.match(link) else ""
        elif not details.get("receipt_url") and "receipt_url" not in problems:
            problems["receipt_url"] = "Please give a link to the receipt, or upload the receipt file."
    if problems:
        raise InvalidInput("Some answers need fixing.", problems)
    details = {k: v for k, v in details.items() if k not in ("amount", "currency") and v}
    if kind == "hardware":
        summary = _first_line(details["items"])
    elif kind == "expense":
        summary = f"{fmt(amount, currency)} — {_first_line(details['description'], 60)}"
    else:
        summary = f"{_first_line(details['event'], 60)} ({details['attendees']} attendees)"
    return Cleaned(details, amount, currency, on_date, summary)


def parse_reference(text: str) -> int | None:
    """The request id from a reference as people quote it: HW-0007, hw-7, #7 or 7."""
    m = _REF.match(text.strip())
    return int(m.group(2)) if m else None


def reference(kind: str, request_id: int) -> str:
    return f"{REFERENCE_PREFIX.get(kind, 'RQ')}-{request_id:04d}"


def quarter_start(now: datetime) -> datetime:
    now = now.astimezone(UTC)
    return datetime(now.year, 3 * ((now.month - 1) // 3) + 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class NoteView:
    at: datetime
    author: str
    kind: str
    text: str


@dataclass(frozen=True)
class RequestView:
    id: int
    reference: str
    kind: str
    status: str
    summary: str
    requester: str
    amount: Decimal | None
    currency: str | None
    on_date: date | None
    created_at: datetime
    updated_at: datetime
    approvals_needed: int
    version: int = 1
    approvers: tuple[str, ...] = ()
    details: Mapping[str, str] = field(default_factory=dict)
    notes: tuple[NoteView, ...] = ()

    @property
    def status_label(self) -> str:
        label = STATUS_LABELS.get(self.status, self.status)
        if self.status in UNDECIDED and self.approvals_needed > 1:
            label += f" ({len(self.approvers)} of {self.approvals_needed} approvals)"
        return label

    @property
    def amount_text(self) -> str:
        return fmt(self.amount, self.currency) if self.amount is not None else ""


@dataclass(frozen=True)
class SubmitResult:
    id: int
    reference: str
    approvals_needed: int


@dataclass(frozen=True)
class Decision:
    request: RequestView
    change: str  # approved | approval_recorded | rejected | info_requested | answered | shipped | reimbursed


def fields_for_display(kind: str, details: Mapping[str, str], amount_text: str) -> list[tuple[str, str]]:
    """(label, value) pairs of a request, in the form's order."""
    out: list[tuple[str, str]] = []
    for spec in FIELDS.get(kind, ()):
        if spec.key == "currency":
            continue
        if spec.key == "amount":
            if amount_text:
                out.append((spec.label, amount_text))
            continue
        if spec.key == "receipt_file":
            if details.get("receipt_file"):
                url = details.get("receipt_file_url") or ""
                out.append((spec.label, details["receipt_file"] + (f" ({url})" if url else "")))
            continue
        if details.get(spec.key):
            out.append((spec.label, details[spec.key]))
    return out


class RequestService:
    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        settings: Settings,
        roles: Roles,
        clock: Clock,
        signal: OutboxSignal | None = None,
    ) -> None:
        self._uow = uow
        self._settings = settings
        self._roles = roles
        self._clock = clock
        self._signal = signal or NoSignal()

    @property
    def review_channel(self) -> str:
        return self._settings.requests.review_channel or self._settings.slack.moderator_channel

    # -- asking ------------------------------------------------------------------------------

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
            if amb is None or amb.status != "active":
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
                    status="pending",
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
                "status": "pending",
                "kind": kind,
                "reference": view.reference,
                "summary": view.summary,
                "approvals_needed": needed,
            }
            if view.amount is not None:
                after.update(amount=str(view.amount), currency=view.currency)
            await uow.audit.record(
                at=now,
                actor=slack_user_id,
                platform="slack",
                action="request.submitted",
                subject_type="request",
                subject_id=req.id,
                after=after,
            )
            if self.review_channel:
                await outbox.queue(
                    uow,
                    f"request:{req.id}:review",
                    outbox.SLACK_POST,
                    {
                        "channel": self.review_channel,
                        "template": "request_review",
                        "data": self._data(view),
                        "on_delivered": {"type": "request_review", "request_id": req.id},
                    },
                    now,
                )
            await self._tell_requester(uow, view, "submitted", slack_user_id, None, now)
            await home.queue_refresh(uow, self._settings, self._roles, slack_user_id, now)
        self._signal.kick()
        return SubmitResult(view.id, view.reference, needed)

    # -- reading -----------------------------------------------------------------------------

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
            if req is None or (req.requester_slack_id != actor and not await self._roles.is_moderator(actor)):
                raise NotFound(f"There is no request {shown} of yours.")
            return await self._view(uow, req)

    async def queue(self, actor: str, limit: int = 20) -> tuple[list[RequestView], int]:
        await require_moderator(
            self._uow,
            self._roles,
            self._clock,
            actor,
            "request.queue",
            "request",
            "queue",
            "Only moderators can see the request queue.",
        )
        async with self._uow() as uow:
            rows, total = await uow.requests.open_queue(limit)
            return [await self._view(uow, r, with_notes=False) for r in rows], total

    # -- deciding ----------------------------------------------------------------------------

    async def ensure_can_decide(self, actor: str, request_id: int, action: str) -> RequestView:
        """Quick checks before a moderator's modal opens (reject reason, question)."""
        await require_moderator(
            self._uow,
            self._roles,
            self._clock,
            actor,
            f"request.{action}",
            "request",
            request_id,
            "Only moderators can decide on requests.",
        )
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
            if req.status != "info_requested":
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
                await self._refuse(moderator, "approve", request_id, "own request")
                raise NotAllowed(
                    f"You can't approve your own request {req.reference}; another moderator has to."
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
                    platform="slack",
                    action="request.approval_recorded",
                    subject_type="request",
                    subject_id=req.id,
                    after={"approvals": len(approvers), "needed": req.approvals_needed},
                )
            else:
                change = "approved"
                await self._check_budget(uow, req, now)
                if not await uow.requests.move(
                    req.id, UNDECIDED, "approved", decided_at=now, decided_by=moderator
                ):
                    raise Conflict(f"{req.reference} was decided by someone else a moment ago.")
                await uow.audit.record(
                    at=now,
                    actor=moderator,
                    platform="slack",
                    action="request.approved",
                    subject_type="request",
                    subject_id=req.id,
                    before={"status": req.status},
                    after={"status": "approved", "approvers": approvers},
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
                "rejected",
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
                platform="slack",
                action="request.rejected",
                subject_type="request",
                subject_id=req.id,
                before={"status": req.status},
                after={"status": "rejected", "reason": text},
            )
            decision = await self._after_change(uow, req.id, "rejected", moderator, text, channel, ts, now)
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
            await uow.requests.move(req.id, UNDECIDED, "info_requested")
            await uow.requests.add_note(req.id, moderator, "question", text, now)
            await uow.audit.record(
                at=now,
                actor=moderator,
                platform="slack",
                action="request.info_requested",
                subject_type="request",
                subject_id=req.id,
                before={"status": req.status},
                after={"status": "info_requested", "question": text},
            )
            decision = await self._after_change(
                uow, req.id, "info_requested", moderator, text, channel, ts, now
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
            if not await uow.requests.lock(req.id, ("info_requested",), now):
                raise Conflict(f"{req.reference} is not waiting for an answer any more.")
            await uow.requests.move(req.id, ("info_requested",), "pending")
            await uow.requests.add_note(req.id, requester, "answer", text, now)
            await uow.audit.record(
                at=now,
                actor=requester,
                platform="slack",
                action="request.info_answered",
                subject_type="request",
                subject_id=req.id,
                before={"status": "info_requested"},
                after={"status": "pending", "answer": text},
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
            if not await uow.requests.lock(req.id, ("approved",), now):
                if req.status in UNDECIDED:
                    raise Conflict(f"{req.reference} has to be approved before it can be marked {outcome}.")
                raise Conflict(f"{req.reference} is already {STATUS_LABELS.get(req.status, req.status)}.")
            await uow.requests.move(req.id, ("approved",), outcome, closed_at=now, closed_by=moderator)
            await uow.audit.record(
                at=now,
                actor=moderator,
                platform="slack",
                action=f"request.{outcome}",
                subject_type="request",
                subject_id=req.id,
                before={"status": "approved"},
                after={"status": outcome},
            )
            decision = await self._after_change(uow, req.id, outcome, moderator, None, channel, ts, now)
        self._signal.kick()
        return decision

    # -- helpers -----------------------------------------------------------------------------

    @staticmethod
    def _note_text(value: str, key: str, empty: str) -> str:
        text = _clean(value)
        if not text:
            raise InvalidInput(empty, {key: empty})
        if len(text) > MAX_NOTE:
            msg = f"Please keep this under {MAX_NOTE} characters (it has {len(text)})."
            raise InvalidInput(msg, {key: msg})
        return text

    async def _require_moderator(self, actor: str, action: str, request_id: int) -> None:
        await require_moderator(
            self._uow,
            self._roles,
            self._clock,
            actor,
            f"request.{action}",
            "request",
            request_id,
            "Only moderators can decide on requests.",
        )

    async def _refuse(self, actor: str, action: str, request_id: int, why: str) -> None:
        async with self._uow() as uow:
            await uow.audit.record(
                at=self._clock.now(),
                actor=actor,
                platform="slack",
                action=f"request.{action}.refused",
                subject_type="request",
                subject_id=request_id,
                after={"why": why},
            )

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

    def _data(self, view: RequestView) -> dict[str, Any]:
        """Neutral, JSON-ready data for the Slack templates (handlers.slack.views_requests)."""
        return {
            "id": view.id,
            "reference": view.reference,
            "kind": view.kind,
            "kind_label": KIND_LABELS.get(view.kind, view.kind),
            "status": view.status,
            "status_label": view.status_label,
            "summary": view.summary,
            "requester": view.requester,
            "amount": str(view.amount) if view.amount is not None else None,
            "amount_text": view.amount_text,
            "currency": view.currency,
            "created_at": view.created_at.isoformat(),
            "fields": [list(pair) for pair in fields_for_display(view.kind, view.details, view.amount_text)],
            "approvers": list(view.approvers),
            "approvals_needed": view.approvals_needed,
            "closing": CLOSING.get(view.kind, "closed"),
            "notes": [
                {"at": n.at.isoformat(), "author": n.author, "kind": n.kind, "text": n.text[:1500]}
                for n in view.notes[-6:]
            ],
            "command": self._settings.slack.command,
        }

    async def _tell_requester(
        self, uow: UnitOfWork, view: RequestView, change: str, actor: str, text: str | None, now: datetime
    ) -> None:
        data = self._data(view)
        data.update({"change": change, "by": actor, "text": text})
        await outbox.queue(
            uow,
            f"request:{view.id}:dm:v{view.version}",
            outbox.SLACK_DM,
            {"user": view.requester, "template": "request_status", "data": data},
            now,
        )

    async def _after_change(
        self,
        uow: UnitOfWork,
        request_id: int,
        change: str,
        actor: str,
        text: str | None,
        channel: str | None,
        ts: str | None,
        now: datetime,
    ) -> Decision:
        req = await self._load(uow, request_id)  # fresh: status, version and notes as now stored
        view = await self._view(uow, req)
        await self._tell_requester(uow, view, change, actor, text, now)
        channel, ts = req.review_channel or channel, req.review_ts or ts
        if channel and ts:
            await outbox.queue(
                uow,
                f"request:{req.id}:review:v{req.version}",
                outbox.SLACK_UPDATE,
                {"channel": channel, "ts": ts, "template": "request_review", "data": self._data(view)},
                now,
            )
        await home.queue_refresh(uow, self._settings, self._roles, view.requester, now)
        return Decision(view, change)
