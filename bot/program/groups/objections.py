"""Reviewers say no or not yet: reject, ask for changes, send an overlap to the ambassadors,
mark it resolved, or object to an automatic approval."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.program import outbox
from bot.program.errors import Conflict, NotAllowed
from bot.program.groups.base import GroupBase
from bot.program.groups.forms import Decision
from bot.program.permissions import Permission
from storage.enums import Platform, UserGroupStatus


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

    async def reject(
        self, actor: str, group_id: int, reason: str, channel: str | None = None, ts: str | None = None
    ) -> Decision:
        reason = self._clean_reason(reason, "reason")
        now = self._clock.now()
        moved = {"decided_at": now, "decision_reason": reason, "open_requester": None}
        after = {"status": UserGroupStatus.REJECTED, "reason": reason}
        return await self._send_back(
            actor,
            group_id,
            Permission.GROUP_REJECT,
            UserGroupStatus.REJECTED,
            moved,
            "group.rejected",
            after,
            reason,
            (channel, ts),
            now,
        )

    async def request_changes(
        self, actor: str, group_id: int, what: str, channel: str | None = None, ts: str | None = None
    ) -> Decision:
        what = self._clean_reason(what, "reason")
        now = self._clock.now()
        after = {"status": UserGroupStatus.NEEDS_CHANGES, "what": what}
        moved = {"change_request": what}
        return await self._send_back(
            actor,
            group_id,
            Permission.GROUP_REQUEST_CHANGES,
            UserGroupStatus.NEEDS_CHANGES,
            moved,
            "group.changes_requested",
            after,
            what,
            (channel, ts),
            now,
        )

    async def _send_back(
        self,
        actor: str,
        group_id: int,
        permission: Permission,
        status: UserGroupStatus,
        moved: dict[str, Any],
        audit_action: str,
        after: dict[str, Any],
        text: str,
        message: tuple[str | None, str | None],
        now: datetime,
    ) -> Decision:
        """Move a pending request to `status` (rejected, needs_changes) and tell the requester;
        `message` is the (channel, ts) of the review message the click came from."""
        channel, ts = message
        async with self._uow() as uow:
            await self._require_reviewer(actor, permission, group_id)
            g = await self._load(uow, group_id)
            self._check_pending(g, actor)
            self._check_hold(g, deciding=False)
            if not await uow.groups.move(
                g.id, (UserGroupStatus.PENDING,), status=status, decided_by=actor, updated_at=now, **moved
            ):
                raise Conflict(f"Request #{g.id} was decided by someone else a moment ago.")
            g = await self._load(uow, g.id)
            await uow.audit.record(
                at=now,
                actor=actor,
                platform=Platform.SLACK,
                action=audit_action,
                subject_type="user_group",
                subject_id=g.id,
                before={"status": UserGroupStatus.PENDING},
                after=after,
            )
            await self._tell_requester(uow, g, status, text, now)
            await self._update_review(uow, g, channel, ts, now)
            result = Decision(g.id, g.title, status, g.requester_slack_id)
        self._signal.kick()
        return result

    async def ask_ambassadors(
        self, actor: str, group_id: int, channel: str | None = None, ts: str | None = None
    ) -> Decision:
        now = self._clock.now()
        async with self._uow() as uow:
            await self._require_reviewer(actor, Permission.GROUP_ASK_AMBASSADORS, group_id)
            g = await self._load(uow, group_id)
            if g.status != UserGroupStatus.PENDING:
                raise self._decided(g)
            if g.requester_slack_id == actor:
                raise NotAllowed("You can't review your own request; another ambassador or a moderator will.")
            if g.overlap_group_id is None:
                raise Conflict(f"Request #{g.id} overlaps with no other group; nothing to resolve.")
            if g.conflict == "open":
                raise Conflict(f"The overlap of request #{g.id} is already with the ambassadors.")
            if g.conflict == "resolved":
                raise Conflict(f"The overlap of request #{g.id} was already resolved by <@{g.conflict_by}>.")
            if not await uow.groups.set_conflict(g.id, "", "open", actor, now):
                raise Conflict(f"Someone else just sent request #{g.id} to the ambassadors.")
            g = await self._load(uow, g.id)
            await uow.audit.record(
                at=now,
                actor=actor,
                platform=Platform.SLACK,
                action="group.conflict_opened",
                subject_type="user_group",
                subject_id=g.id,
                after={"overlap": g.overlap_group_id, "reason": g.overlap_reason},
            )
            data = await self._review_data(uow, g)
            data["asked_by"] = actor
            await outbox.queue(
                uow,
                f"group:{g.id}:conflict:{g.revision}",
                outbox.SLACK_POST,
                {"channel": self.conflict_channel, "template": "group_conflict", "data": data},
                now,
            )
            await self._update_review(uow, g, channel, ts, now)
            result = Decision(g.id, g.title, UserGroupStatus.PENDING, g.requester_slack_id)
        self._signal.kick()
        return result

    async def resolve_conflict(
        self, actor: str, group_id: int, channel: str | None = None, ts: str | None = None
    ) -> Decision:
        now = self._clock.now()
        async with self._uow() as uow:
            await self._require_reviewer(actor, Permission.GROUP_RESOLVE_CONFLICT, group_id)
            g = await self._load(uow, group_id)
            if g.requester_slack_id == actor:
                raise NotAllowed("The overlap of your own request is for the other ambassadors to resolve.")
            if g.conflict == "resolved":
                raise Conflict(
                    f"The overlap of request #{g.id} was already marked resolved by <@{g.conflict_by}>."
                )
            if g.status != UserGroupStatus.PENDING or g.conflict != "open":
                raise Conflict(f"Request #{g.id} has no overlap waiting to be resolved.")
            if not await uow.groups.set_conflict(g.id, "open", "resolved", actor, now):
                raise Conflict(f"Someone else just marked the overlap of request #{g.id} resolved.")
            g = await self._load(uow, g.id)
            await uow.audit.record(
                at=now,
                actor=actor,
                platform=Platform.SLACK,
                action="group.conflict_resolved",
                subject_type="user_group",
                subject_id=g.id,
                before={"conflict": "open"},
                after={"conflict": "resolved"},
            )
            if channel and ts:
                data = await self._review_data(uow, g)
                await outbox.queue(
                    uow,
                    f"group:{g.id}:conflict-resolved:{g.revision}",
                    outbox.SLACK_UPDATE,
                    {"channel": channel, "ts": ts, "template": "group_conflict", "data": data},
                    now,
                )
            await self._update_review(uow, g, None, None, now)
            result = Decision(g.id, g.title, UserGroupStatus.PENDING, g.requester_slack_id)
        self._signal.kick()
        return result

    async def object(
        self, actor: str, group_id: int, channel: str | None = None, ts: str | None = None
    ) -> Decision:
        """An ambassador objects: no automatic approval, a person decides."""
        now = self._clock.now()
        async with self._uow() as uow:
            await self._require_reviewer(actor, Permission.GROUP_OBJECT, group_id)
            g = await self._load(uow, group_id)
            self._check_pending(g, actor)
            if g.objected_by:
                raise Conflict(f"<@{g.objected_by}> already objected; a reviewer decides request #{g.id}.")
            g.objected_by, g.updated_at = actor, now
            await uow.audit.record(
                at=now,
                actor=actor,
                platform=Platform.SLACK,
                action="group.objected",
                subject_type="user_group",
                subject_id=g.id,
            )
            await self._update_review(uow, g, channel, ts, now)
            result = Decision(g.id, g.title, UserGroupStatus.PENDING, g.requester_slack_id)
        self._signal.kick()
        return result
