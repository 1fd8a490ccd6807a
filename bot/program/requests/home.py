"""The requests part of the App Home snapshot: the person's open requests and, for moderators,
the open request queue (called from bot.program.home.snapshot)."""

from __future__ import annotations

from typing import Any

from bot.program.money import fmt
from bot.program.requests.kinds import KIND_LABELS, STATUS_LABELS
from storage.requests import Request
from storage.uow import UnitOfWork

QUEUE_SHOWN = 10


def _item(r: Request) -> dict[str, Any]:
    return {
        "id": r.id,
        "reference": r.reference,
        "kind": r.kind,
        "kind_label": KIND_LABELS.get(r.kind, r.kind),
        "status": r.status,
        "status_label": STATUS_LABELS.get(r.status, r.status),
        "summary": r.summary,
        "requester": r.requester_slack_id,
        "amount_text": fmt(r.amount, r.currency) if r.amount is not None else "",
        "created_at": r.created_at.isoformat(),
    }


async def snapshot(uow: UnitOfWork, slack_user_id: str, is_moderator: bool) -> dict[str, Any]:
    data: dict[str, Any] = {"requests": [_item(r) for r in await uow.requests.open_for(slack_user_id)]}
    if is_moderator:
        rows, total = await uow.requests.open_queue(QUEUE_SHOWN)
        data["request_queue"] = {"items": [_item(r) for r in rows], "total": total}
    return data
