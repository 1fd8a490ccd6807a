"""What every part of the user group workflow shares: the service's dependencies, loading a
group, the state checks, the audit line, and the messages (review card, requester's outcome,
handover checklist) the parts republish, redrawn where they were posted or clicked (`MessageRef`)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from bot.config.groups import GroupsSettings
from bot.program import audit, outbox
from bot.program.errors import Conflict, InvalidInput, NotAllowed, NotFound
from bot.program.forum_accounts import ForumAccounts, require_accounts
from bot.program.groups.forms import ROLE_WORDS, iso
from bot.program.groups.messages import (
    GroupFlag,
    GroupHandover,
    GroupOutcome,
    GroupOverlap,
    GroupReview,
    HandoverStepLine,
)
from bot.program.groups.rendering import NoRenderer, TemplateRenderer
from bot.program.groups.reports import organiser_label
from bot.program.groups.screening import (
    Rules,
    clean_text,
    fold,
    one_line,
)
from bot.program.messages import MessageRef, slack_message
from bot.program.permissions import GuardedService, Permission, ServiceDeps, Subject
from storage.enums import UserGroupStatus
from storage.groups import LIVE, GroupOrganiser, UserGroup
from storage.uow import UnitOfWork


class GroupBase(GuardedService):
    """State and helpers every part of the group workflow shares."""

    def __init__(
        self,
        deps: ServiceDeps,
        *,
        forum: ForumAccounts | None = None,
        renderer: TemplateRenderer | None = None,
    ) -> None:
        super().__init__(deps, forum=forum)
        self._renderer: TemplateRenderer = renderer or NoRenderer()

    # -- configuration -------------------------------------------------------------------------

    @property
    def _cfg(self) -> GroupsSettings:
        return self._settings.groups

    @property
    def review_channel(self) -> str:
        return self._cfg.review_channel or self._settings.slack.moderator_channel

    @property
    def conflict_channel(self) -> str:
        return self._cfg.conflict_channel or self._settings.slack.ambassador_channel or self.review_channel

    def rules(self) -> Rules:
        c = self._cfg
        return Rules(
            community=c.community,
            blocklist=tuple(c.blocklist),
            general_it_terms=tuple(c.general_it_terms),
            topic_terms=tuple(c.topic_terms),
            require_location=c.require_location,
            max_links=c.max_links,
        )

    async def _require_reviewer(self, actor: str, permission: Permission, group_id: int) -> None:
        await self._guard.require(actor, permission, Subject(group_id))

    async def _require_for(
        self,
        actor: str,
        permission: Permission,
        g: UserGroup,
        refusal: str,
        action: str | None = None,
        roles: frozenset[str] = frozenset(),
    ) -> None:
        """The guard's check of an action the group's own people may take (organisers, the
        mentor, the roles of a handover step); `refusal` says who may."""
        subject = Subject(g.id, action=action, message=refusal, group_id=g.id, roles=roles)
        await self._guard.require(actor, permission, subject)

    async def _load(self, uow: UnitOfWork, group_id: int) -> UserGroup:
        group = await uow.groups.get(group_id)
        if group is None:
            raise NotFound(f"User group request #{group_id} does not exist.")
        return group

    @staticmethod
    def _decided(group: UserGroup) -> Conflict:
        who = f" by <@{group.decided_by}>" if group.decided_by and group.decided_by != "bot" else ""
        if group.status == UserGroupStatus.NEEDS_CHANGES:
            return Conflict(
                f"Request #{group.id} is waiting for the requester's changes; it comes back for review "
                "when they send them."
            )
        word = {"rejected": "rejected", "approved": "approved", "official": "approved"}.get(group.status, "")
        return Conflict(f"Request #{group.id} ({group.title}) was already {word or group.status}{who}.")

    def _check_hold(self, group: UserGroup, deciding: bool = True) -> None:
        """An overlapping request waits for the ambassadors (DESIGN: held until resolved)."""
        if group.conflict == "open":
            raise Conflict(
                f"Request #{group.id} overlaps with another group and is with the ambassadors; "
                "it can be decided once they mark the overlap resolved."
            )
        if deciding and group.overlap_group_id is not None and group.conflict != "resolved":
            raise Conflict(
                f"Request #{group.id} overlaps with #{group.overlap_group_id} ({group.overlap_reason}). "
                "Press “Ask ambassadors to resolve” first; it can be approved once they mark it resolved."
            )

    def _check_pending(self, g: UserGroup, actor: str) -> None:
        if g.status != UserGroupStatus.PENDING:
            raise self._decided(g)
        if g.requester_slack_id == actor:
            raise NotAllowed("You can't review your own request; another ambassador or a moderator will.")

    @staticmethod
    def _clean_reason(text: str, field_name: str) -> str:
        text = clean_text(text)
        if not text:
            raise InvalidInput("Please write something.", {field_name: "Please write it for the requester."})
        if len(text) > 2000:
            raise InvalidInput("Too long.", {field_name: "Please keep it under 2000 characters."})
        return text

    async def _add_organiser_row(
        self,
        uow: UnitOfWork,
        group_id: int,
        slack_user_id: str | None,
        forum_username: str | None,
        by: str,
        now: datetime,
    ) -> GroupOrganiser:
        if slack_user_id and not forum_username:
            person = await uow.people.by_slack_id(slack_user_id)
            if person is not None and person.forum_username and person.forum_linked_at is not None:
                forum_username = person.forum_username
        return await uow.groups.add_organiser(
            GroupOrganiser(
                group_id=group_id,
                slack_user_id=slack_user_id,
                forum_username=forum_username,
                added_by=by,
                added_at=now,
            )
        )

    async def _review_card(self, uow: UnitOfWork, g: UserGroup) -> GroupReview:
        """The review card of `g` as it stands (the overlap card is the same, for the ambassadors)."""
        organisers = await uow.groups.organisers(g.id)
        overlap: GroupOverlap | None = None
        if g.overlap_group_id is not None:
            other = await uow.groups.get(g.overlap_group_id)
            overlap = GroupOverlap(
                id=g.overlap_group_id,
                title=other.title if other else f"#{g.overlap_group_id}",
                status=other.status if other else "",
                reason=g.overlap_reason,
            )
        return GroupReview(
            group_id=g.id,
            revision=g.revision,
            title=g.title,
            requested_name=g.requested_name,
            city=g.city,
            region=g.region,
            country=g.country,
            coordinates=(
                f"{g.latitude:.4f}, {g.longitude:.4f}"
                if g.latitude is not None and g.longitude is not None
                else ""
            ),
            website=g.website,
            links=g.links[:1000],
            description=g.description[:1500],
            requester=g.requester_slack_id,
            organisers=tuple(organiser_label(o) for o in organisers),
            flags=tuple(GroupFlag(str(f.get("code", "")), str(f.get("reason", ""))) for f in g.flags or []),
            missing=tuple(g.missing or []),
            overlap=overlap,
            conflict=g.conflict,
            conflict_by=g.conflict_by,
            objected_by=g.objected_by,
            auto_approve_hours=self._cfg.auto_approve_hours,
            status=g.status,
            decided_by=g.decided_by,
            reason=g.decision_reason,
            change_request=g.change_request,
            mentor=g.mentor_slack_id,
        )

    async def _update_review(
        self, uow: UnitOfWork, g: UserGroup, ref: MessageRef | None, now: datetime
    ) -> None:
        card = await self._review_card(uow, g)
        posted = slack_message(g.review_channel, g.review_ts)
        await outbox.redraw(uow, f"group:{g.id}:review-update:{uuid.uuid4().hex}", posted, ref, card, now)

    async def _audit(
        self,
        uow: UnitOfWork,
        actor: str,
        now: datetime,
        group_id: int,
        action: str,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
    ) -> None:
        """The audit line of a change to a user group (every change comes from Slack)."""
        await audit.log(uow, now, actor, action, ("user_group", group_id), before=before, after=after)

    async def _tell_requester(
        self, uow: UnitOfWork, g: UserGroup, outcome: UserGroupStatus, text: str, now: datetime
    ) -> None:
        message = GroupOutcome(
            group_id=g.id,
            title=g.title,
            outcome=outcome,
            text=text,
            command=self._settings.slack.command,
            mentor=g.mentor_slack_id,
            what_is=self._cfg.what_is_a_user_group_url if outcome == UserGroupStatus.REJECTED else "",
        )
        await outbox.dm(uow, f"group:{g.id}:{outcome}:{g.revision}", g.requester_slack_id, message, now)

    async def _queue_forum_owner(
        self, uow: UnitOfWork, g: UserGroup, username: str | None, now: datetime
    ) -> bool:
        if not (username and g.forum_group and self._settings.discourse.enabled):
            return False
        await outbox.queue(
            uow,
            f"group:{g.id}:owner:{g.forum_group.lower()}:{username.lower()}",
            outbox.DISCOURSE_ADD_GROUP_OWNER,
            {"username": username, "group": g.forum_group},
            now,
        )
        return True

    async def _find(self, uow: UnitOfWork, ref: str) -> UserGroup:
        ref = one_line(ref).strip("\"“”'")
        if not ref:
            raise InvalidInput("Name the group (its title or #number).")
        number = ref.lstrip("#")
        if number.isdigit() and len(number) < 10:
            g = await uow.groups.get(int(number))
            if g is None:
                raise NotFound(f"There is no user group #{number}.")
            return g
        live = list(await uow.groups.with_status(LIVE))
        key = fold(ref)
        exact = [g for g in live if fold(g.title) == key or fold(g.requested_name) == key]
        hits = exact or [g for g in live if key in fold(g.title) or key in fold(g.requested_name)]
        if not hits:
            raise NotFound(
                f"No user group matches {ref[:60]!r}. `{self._settings.slack.command} groups` lists them."
            )
        if len(hits) > 1:
            names = ", ".join(f"#{g.id} {g.title}" for g in hits[:5])
            raise Conflict(f"{ref[:60]!r} matches several groups: {names}. Use the #number.")
        return hits[0]

    async def _forum_names(self, names: list[str]) -> list[str]:
        """Organisers named by forum username must have a forum account: their group ownership is
        queued on approval, so a stranger's name would only fail at the end of the handover."""
        if not names or self._forum is None or not self._settings.discourse.enabled:
            return names
        return await require_accounts(self._forum, names)

    async def _handover_card(self, uow: UnitOfWork, g: UserGroup) -> GroupHandover:
        steps = await uow.groups.steps(g.id)
        return GroupHandover(
            group_id=g.id,
            title=g.title,
            mentor=g.mentor_slack_id,
            status=g.status,
            steps=tuple(
                HandoverStepLine(
                    key=s.key,
                    title=s.title,
                    who=tuple(ROLE_WORDS.get(r, r) for r in s.completes.split(",") if r),
                    needs=s.needs,
                    done=s.completed_at is not None,
                    by=s.completed_by,
                    at=iso(s.completed_at),
                    value=s.value,
                )
                for s in steps
            ),
        )
