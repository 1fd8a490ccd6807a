"""Reviewers approve a request (naming a mentor), or the bot does when nobody objected in time."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.program import outbox
from bot.program.errors import Conflict, InvalidInput, NotAllowed
from bot.program.groups.base import GroupBase
from bot.program.groups.forms import FORUM_GROUP_PATTERN, ApprovalForm, Decision, MentorOption
from bot.program.groups.messages import GroupMentor
from bot.program.groups.reports import place_of
from bot.program.groups.screening import (
    contains_term,
    fold,
    one_line,
)
from bot.program.messages import MessageRef
from bot.program.permissions import Permission
from storage.enums import UserGroupStatus
from storage.groups import GroupHandoverStep, MentorCandidate, UserGroup
from storage.uow import UnitOfWork


class Review(GroupBase):
    """Reviewers approve a request (naming a mentor), or the bot does when nobody objected in time."""

    async def _suggest_mentors(self, uow: UnitOfWork, g: UserGroup) -> tuple[MentorOption, ...]:
        organisers = {o.slack_user_id for o in await uow.groups.organisers(g.id) if o.slack_user_id}
        loads = await uow.groups.mentor_loads()
        options = [
            _mentor_option(c, g, loads.get(c.slack_user_id, 0))
            for c in await uow.groups.mentor_candidates()
            if c.slack_user_id not in organisers and c.slack_user_id != g.requester_slack_id
        ]
        options.sort(key=lambda o: (-o.score, o.load, fold(o.name), o.slack_user_id))
        return tuple(options[:100])

    async def approval_form(self, actor: str, group_id: int) -> ApprovalForm:
        """What the Approve modal offers; refuses as early as possible (before the modal shows)."""
        async with self._uow() as uow:
            await self._require_reviewer(actor, Permission.GROUP_APPROVE, group_id)
            g = await self._load(uow, group_id)
            self._check_pending(g, actor)
            self._check_hold(g)
            options = await self._suggest_mentors(uow, g)
            if not options:
                raise Conflict("There is no active ambassador on Slack who could mentor this group yet.")
            return ApprovalForm(g.id, g.title, place_of(g).describe(), options, g.forum_group)

    async def approve(
        self,
        actor: str,
        group_id: int,
        mentor: str,
        forum_group: str = "",
        ref: MessageRef | None = None,
    ) -> Decision:
        forum_group = one_line(forum_group).lstrip("@")
        if forum_group and not FORUM_GROUP_PATTERN.match(forum_group):
            raise InvalidInput(
                "Not a forum group name.",
                {"forum_group": "Use the group's name as in its forum address (letters, digits, _ . -)."},
            )
        now = self._clock.now()
        async with self._uow() as uow:
            await self._require_reviewer(actor, Permission.GROUP_APPROVE, group_id)
            result = await self._approve(uow, actor, group_id, mentor, forum_group, ref, now)
        self._signal.kick()
        return result

    async def _approve(
        self,
        uow: UnitOfWork,
        actor: str,
        group_id: int,
        mentor: str,
        forum_group: str,
        ref: MessageRef | None,
        now: datetime,
    ) -> Decision:
        g = await self._load(uow, group_id)
        self._check_pending(g, actor)
        self._check_hold(g)
        options = {o.slack_user_id: o for o in await self._suggest_mentors(uow, g)}
        if mentor not in options:
            raise InvalidInput(
                "Choose a mentor.", {"mentor": "Choose an active ambassador (not an organiser of the group)."}
            )
        if not await uow.groups.move(
            g.id,
            (UserGroupStatus.PENDING,),
            status=UserGroupStatus.APPROVED,
            decided_by=actor,
            decided_at=now,
            mentor_slack_id=mentor,
            forum_group=forum_group,
            open_requester=None,
            updated_at=now,
        ):
            raise Conflict(f"Request #{g.id} was decided by someone else a moment ago.")
        g = await self._load(uow, g.id)
        for pos, step in enumerate(self._cfg.handover):
            await uow.groups.add_step(
                GroupHandoverStep(
                    group_id=g.id,
                    key=step.key,
                    title=step.title,
                    position=pos,
                    completes=",".join(step.completes),
                    needs=step.needs,
                )
            )
        after = {"status": UserGroupStatus.APPROVED, "mentor": mentor, "forum_group": forum_group or None}
        await self._audit(uow, actor, now, g.id, "group.approved", {"status": UserGroupStatus.PENDING}, after)
        await self._update_review(uow, g, ref, now)
        await self._tell_requester(uow, g, UserGroupStatus.APPROVED, "", now)
        told = GroupMentor(group_id=g.id, title=g.title, requester=g.requester_slack_id, by=actor)
        await outbox.dm(uow, f"group:{g.id}:mentor:{mentor}", mentor, told, now)
        delivered = {"type": "group_message", "group_id": g.id, "slot": "handover"}
        checklist = await self._handover_card(uow, g)
        await outbox.post(
            uow, f"group:{g.id}:handover", self.review_channel, checklist, now, on_delivered=delivered
        )
        for o in await uow.groups.organisers(g.id):
            await self._queue_forum_owner(uow, g, o.forum_username, now)
        return Decision(g.id, g.title, UserGroupStatus.APPROVED, g.requester_slack_id, mentor)

    async def auto_approve_due(self, as_of: datetime | None = None) -> list[int]:
        """Approve requests nobody objected to within `groups.auto_approve_hours` (off when 0):
        only clean ones (no flags, no unresolved overlap), with the best-suggested mentor.
        `as_of` (default: now) decides what is due; the approvals themselves happen now."""
        hours = float(self._cfg.auto_approve_hours)
        if hours <= 0:
            return []
        now = self._clock.now()
        approved: list[int] = []
        async with self._uow() as uow:
            due = [g.id for g in await uow.groups.pending_since((as_of or now) - timedelta(hours=hours))]
        for group_id in due:
            async with self._uow() as uow:
                g = await uow.groups.get(group_id)
                if (
                    g is None
                    or g.status != UserGroupStatus.PENDING
                    or g.objected_by
                    or g.flags
                    or g.conflict == "open"
                ):
                    continue
                if g.overlap_group_id is not None and g.conflict != "resolved":
                    continue
                options = await self._suggest_mentors(uow, g)
                if not options:
                    continue
                try:
                    await self._approve(uow, "bot", g.id, options[0].slack_user_id, "", None, now)
                except (Conflict, InvalidInput, NotAllowed):
                    continue
                approved.append(g.id)
        if approved:
            self._signal.kick()
        return approved


def _mentor_option(c: MentorCandidate, g: UserGroup, load: int) -> MentorOption:
    score = 0
    if g.city and (_same(c.city, g.city) or contains_term(c.location, g.city)):
        score += 3
    if g.region and contains_term(f"{c.city} {c.location}", g.region):
        score += 2
    if g.country and (_same(c.country, g.country) or contains_term(c.location, g.country)):
        score += 1
    where = ", ".join(p for p in (c.city, c.country) if p) or c.location
    return MentorOption(c.slack_user_id, c.name, one_line(where)[:40], load, score)


def _same(a: str, b: str) -> bool:
    return bool(a) and bool(b) and fold(a) == fold(b)
