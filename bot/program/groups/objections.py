"""Reviewers say no or not yet: reject, ask for changes, send an overlap to the ambassadors,
mark it resolved, or object to an automatic approval."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.program import outbox
from bot.program.errors import Conflict, NotAllowed
from bot.program.groups.base import GroupBase
from bot.program.groups.forms import Decision
from bot.program.groups.messages import GroupConflict
from bot.program.messages import MessageRef
from bot.program.permissions import Permission
from storage.enums import UserGroupStatus
from storage.groups import UserGroup
from storage.uow import UnitOfWork


class Objections(GroupBase):
    """Reject, ask for changes, the overlap hold, objections."""

    async def reason_form(self, actor: str, group_id: int, mode: str) -> tuple[str, str]:
        """(title, prefilled text) for the Reject or Needs changes modal, after the checks."""
        async with self._uow() as uow:
            permission = Permission.GROUP_REJECT if mode == "reject" else Permission.GROUP_REQUEST_CHANGES
            await self._require_reviewer(actor, permission, group_id)
            g = await self._load(uow, group_id)
            self._check_pending(g, actor)
            self._check_hold(g, deciding=False)
            if mode == "reject":
                reasons = [str(f.get("reason", "")) for f in g.flags or []]
                text = f"This request {'; it '.join(reasons)}." if reasons else ""
            else:
                text = ("Please add " + "; ".join(g.missing) + ".") if g.missing else ""
            return g.title, text[:2000]

    async def reject(self, actor: str, group_id: int, reason: str, ref: MessageRef | None = None) -> Decision:
        reason = self._clean_reason(reason, "reason")
        now = self._clock.now()
        moved = {"decided_at": now, "decision_reason": reason, "open_requester": None}
        after = {"status": UserGroupStatus.REJECTED, "reason": reason}
        rejected = _SendBack(Permission.GROUP_REJECT, UserGroupStatus.REJECTED, "group.rejected")
        return await self._send_back(actor, group_id, rejected, moved, after, reason, ref, now)

    async def request_changes(
        self, actor: str, group_id: int, what: str, ref: MessageRef | None = None
    ) -> Decision:
        what = self._clean_reason(what, "reason")
        now = self._clock.now()
        after = {"status": UserGroupStatus.NEEDS_CHANGES, "what": what}
        changes = _SendBack(
            Permission.GROUP_REQUEST_CHANGES, UserGroupStatus.NEEDS_CHANGES, "group.changes_requested"
        )
        return await self._send_back(
            actor, group_id, changes, {"change_request": what}, after, what, ref, now
        )

    async def _send_back(
        self,
        actor: str,
        group_id: int,
        how: _SendBack,
        moved: dict[str, Any],
        after: dict[str, Any],
        text: str,
        ref: MessageRef | None,
        now: datetime,
    ) -> Decision:
        """Move a pending request to `how.status` (rejected, needs_changes) and tell the requester;
        `ref` is the review message the click came from."""
        async with self._uow() as uow:
            await self._require_reviewer(actor, how.permission, group_id)
            g = await self._load(uow, group_id)
            self._check_pending(g, actor)
            self._check_hold(g, deciding=False)
            if not await uow.groups.move(
                g.id, (UserGroupStatus.PENDING,), status=how.status, decided_by=actor, updated_at=now, **moved
            ):
                raise Conflict(f"Request #{g.id} was decided by someone else a moment ago.")
            g = await self._load(uow, g.id)
            await self._audit(uow, actor, now, g.id, how.action, {"status": UserGroupStatus.PENDING}, after)
            await self._tell_requester(uow, g, how.status, text, now)
            await self._update_review(uow, g, ref, now)
            result = Decision(g.id, g.title, how.status, g.requester_slack_id)
        self._signal.kick()
        return result

    async def _conflict(
        self,
        actor: str,
        group_id: int,
        permission: Permission,
        check: Callable[[UserGroup], None],
        moves: tuple[str, str, str],
        after: AfterHold,
    ) -> Decision:
        """The overlap hold changes (`moves`: from, to, and who raced it); `after` queues the rest."""
        now = self._clock.now()
        before, to, raced = moves
        async with self._uow() as uow:
            await self._require_reviewer(actor, permission, group_id)
            g = await self._load(uow, group_id)
            check(g)
            if not await uow.groups.set_conflict(g.id, before, to, actor, now):
                raise Conflict(raced.format(id=g.id))
            g = await self._load(uow, g.id)
            await after(uow, g, now)
            result = Decision(g.id, g.title, UserGroupStatus.PENDING, g.requester_slack_id)
        self._signal.kick()
        return result

    async def ask_ambassadors(self, actor: str, group_id: int, ref: MessageRef | None = None) -> Decision:
        def check(g: UserGroup) -> None:
            self._check_pending(g, actor)
            if g.overlap_group_id is None:
                raise Conflict(f"Request #{g.id} overlaps with no other group; nothing to resolve.")
            if g.conflict == "open":
                raise Conflict(f"The overlap of request #{g.id} is already with the ambassadors.")
            if g.conflict == "resolved":
                raise Conflict(f"The overlap of request #{g.id} was already resolved by <@{g.conflict_by}>.")

        async def after(uow: UnitOfWork, g: UserGroup, now: datetime) -> None:
            why = {"overlap": g.overlap_group_id, "reason": g.overlap_reason}
            await self._audit(uow, actor, now, g.id, "group.conflict_opened", after=why)
            card = GroupConflict.of(await self._review_card(uow, g), asked_by=actor)
            await outbox.post(uow, f"group:{g.id}:conflict:{g.revision}", self.conflict_channel, card, now)
            await self._update_review(uow, g, ref, now)

        moves = ("", "open", "Someone else just sent request #{id} to the ambassadors.")
        return await self._conflict(actor, group_id, Permission.GROUP_ASK_AMBASSADORS, check, moves, after)

    async def resolve_conflict(self, actor: str, group_id: int, ref: MessageRef | None = None) -> Decision:
        def check(g: UserGroup) -> None:
            if g.requester_slack_id == actor:
                raise NotAllowed("The overlap of your own request is for the other ambassadors to resolve.")
            if g.conflict == "resolved":
                raise Conflict(
                    f"The overlap of request #{g.id} was already marked resolved by <@{g.conflict_by}>."
                )
            if g.status != UserGroupStatus.PENDING or g.conflict != "open":
                raise Conflict(f"Request #{g.id} has no overlap waiting to be resolved.")

        async def after(uow: UnitOfWork, g: UserGroup, now: datetime) -> None:
            change = ({"conflict": "open"}, {"conflict": "resolved"})
            await self._audit(uow, actor, now, g.id, "group.conflict_resolved", *change)
            if ref is not None:
                card = GroupConflict.of(await self._review_card(uow, g))
                key = f"group:{g.id}:conflict-resolved:{g.revision}"
                await outbox.update(uow, key, ref, card, now)
            await self._update_review(uow, g, None, now)

        moves = ("open", "resolved", "Someone else just marked the overlap of request #{id} resolved.")
        return await self._conflict(actor, group_id, Permission.GROUP_RESOLVE_CONFLICT, check, moves, after)

    async def object(self, actor: str, group_id: int, ref: MessageRef | None = None) -> Decision:
        """An ambassador objects: no automatic approval, a person decides."""
        now = self._clock.now()
        async with self._uow() as uow:
            await self._require_reviewer(actor, Permission.GROUP_OBJECT, group_id)
            g = await self._load(uow, group_id)
            self._check_pending(g, actor)
            if g.objected_by:
                raise Conflict(f"<@{g.objected_by}> already objected; a reviewer decides request #{g.id}.")
            g.objected_by, g.updated_at = actor, now
            await self._audit(uow, actor, now, g.id, "group.objected")
            await self._update_review(uow, g, ref, now)
            result = Decision(g.id, g.title, UserGroupStatus.PENDING, g.requester_slack_id)
        self._signal.kick()
        return result


@dataclass(frozen=True)
class _SendBack:
    """How a request is sent back: who may, the status it goes to, the audit action."""

    permission: Permission
    status: UserGroupStatus
    action: str


# What follows a change of the overlap hold, in its unit of work.
AfterHold = Callable[[UnitOfWork, UserGroup, datetime], Awaitable[None]]
