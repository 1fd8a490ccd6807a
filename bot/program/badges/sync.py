"""Reconciliation: the forum's badge holders and group members against the bot's records.

What the bot owns it fixes: an active ambassador without the badge or the group gets them; an
alumnus still holding what the bot once gave loses it; records follow the forum. Everything else
(someone in the ambassadors group who is not an ambassador, a badge granted by hand to a stranger)
is reported to the moderators, not touched.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, TypeGuard

from bot.program import outbox
from bot.program.badges.records import (
    ForumSideService,
    grant_by_bot,
    mark_granted,
    queue_badge_change,
    record_forum_grant,
)
from bot.program.messages import Notice
from bot.program.text import plural
from storage.enums import AmbassadorStatus, BadgeGrantStatus, MembershipStatus, Platform
from storage.models import Ambassador, Person
from storage.uow import UnitOfWork


class ForumState(Protocol):
    async def badge_holders(self, badge_id: int) -> dict[str, int]: ...

    async def group_members(self, group: str) -> set[str]: ...


@dataclass
class SyncReport:
    granted: list[str] = field(default_factory=list)  # badge queued for active ambassadors
    added: list[str] = field(default_factory=list)  # group membership queued
    revoked: list[str] = field(default_factory=list)  # bot-granted badge taken from alumni
    removed: list[str] = field(default_factory=list)  # bot-added membership taken from alumni
    recorded: list[str] = field(default_factory=list)  # records brought in line with the forum
    leftovers: list[str] = field(default_factory=list)  # for the moderators to decide

    @property
    def changes(self) -> int:
        return len(self.granted) + len(self.added) + len(self.revoked) + len(self.removed)

    def lines(self) -> list[str]:
        out = [
            f"Badges queued for {plural(len(self.granted), 'active ambassador')}: "
            f"{', '.join(self.granted) or '-'}",
            f"Group additions queued: {len(self.added)}: {', '.join(self.added) or '-'}",
            f"Badges revoked from alumni: {len(self.revoked)}: {', '.join(self.revoked) or '-'}",
            f"Group removals of alumni: {len(self.removed)}: {', '.join(self.removed) or '-'}",
            f"Records corrected from the forum: {len(self.recorded)}",
        ]
        if self.leftovers:
            out.append(f"For moderators to decide ({len(self.leftovers)}):")
            out.extend(f"  - {item}" for item in self.leftovers)
        else:
            out.append("Nothing left for moderators to decide.")
        return out


def _former(known: Person | None, status: str | None) -> TypeGuard[Person]:
    """A person here whose term is over (alumni or lapsed): what the bot gave them it takes back."""
    return known is not None and status in (AmbassadorStatus.ALUMNI, AmbassadorStatus.LAPSED)


def _who(name: str, status: str | None) -> str:
    """A forum user the bot leaves alone, as the moderators are told about them."""
    return f"{name} ({status})" if status else f"{name} (not an ambassador here)"


class SyncService(ForumSideService[ForumState]):
    """The reconciliation (its forum port reads the badge holders and group members)."""

    async def run_nightly(self) -> SyncReport | None:
        """The scheduled run: one replica per day does it (the day's key is claimed in the DB)."""
        now = self._clock.now()
        async with self._uow() as uow:
            if not await uow.deliveries.first_time("job", f"sync-discourse:{now:%Y-%m-%d}", now):
                return None
        return await self.reconcile(actor="scheduler")

    async def unknown_holders(self) -> list[str]:
        """The forum accounts holding the ambassador badge that no person here has (lower-cased,
        sorted): the ones `sync discourse --adopt` offers to bring in."""
        badge_id = self._settings.discourse.ambassador_badge_id
        if self._forum is None or badge_id is None:
            return []
        holders = await self._forum.badge_holders(badge_id)
        async with self._uow() as uow:
            known = await uow.forum.people_by_forum_usernames(set(holders))
        return sorted(name for name in holders if name not in known)

    async def reconcile(self, actor: str = "cli") -> SyncReport:
        report = SyncReport()
        d = self._settings.discourse
        if self._forum is None:
            report.leftovers.append("No forum configured ([discourse] url): nothing to reconcile.")
            return report
        badge_id, group = d.ambassador_badge_id, d.ambassador_group
        # Read the forum first (paced API calls), then change the records in one transaction.
        holders = await self._forum.badge_holders(badge_id) if badge_id is not None else {}
        members = await self._forum.group_members(group) if group else set()
        run = uuid.uuid4().hex[:8]
        now = self._clock.now()
        async with self._uow() as uow:
            active = await uow.forum.active_ambassadors_with_forum()
            active_names = {str(p.forum_username).lower() for _a, p in active}
            if badge_id is not None:
                await self._badges(uow, report, badge_id, holders, active, active_names, run, now)
            if group:
                await self._group(uow, report, group, members, active, active_names, run, now)
            await uow.audit.record(
                at=now,
                actor=actor,
                platform=Platform.DISCOURSE,
                action="sync.discourse",
                subject_type="forum",
                subject_id=d.url or "forum",
                after={
                    "granted": report.granted,
                    "added": report.added,
                    "revoked": report.revoked,
                    "removed": report.removed,
                    "recorded": len(report.recorded),
                    "leftovers": report.leftovers,
                },
            )
            channel = self._settings.slack.moderator_channel
            if channel and (report.changes or report.leftovers):
                text = "Forum reconciliation:\n" + "\n".join(report.lines())
                await outbox.post(uow, f"sync:{run}:report", channel, Notice(text), now)
        self._signal.kick()
        return report

    async def _badges(
        self,
        uow: UnitOfWork,
        report: SyncReport,
        badge_id: int,
        holders: dict[str, int],
        active: Sequence[tuple[Ambassador, Person]],
        active_names: set[str],
        run: str,
        now: datetime,
    ) -> None:
        badge_name = self._settings.program.badge_name
        for _amb, person in active:
            name = str(person.forum_username)
            grant = await uow.forum.open_grant(person.id, badge_id)
            if name.lower() in holders:
                ub_id = holders[name.lower()]
                if grant is None:
                    await record_forum_grant(uow, person.id, badge_id, badge_name, ub_id, now)
                    report.recorded.append(f"{name} holds the badge")
                elif grant.forum_user_badge_id != ub_id or grant.status != BadgeGrantStatus.GRANTED:
                    mark_granted(grant, ub_id, now)
                    report.recorded.append(f"{name}'s grant")
                continue
            if grant is not None and grant.status == BadgeGrantStatus.PENDING:
                continue  # already on its way through the outbox
            if grant is not None:
                grant.status, grant.revoked_at = BadgeGrantStatus.REVOKED, now  # the forum no longer has it
                report.recorded.append(f"{name}'s badge was gone")
            key = f"sync:{run}:grant:{person.id}"
            await grant_by_bot(uow, key, person.id, name, badge_id, badge_name, now)
            report.granted.append(name)
        people = await uow.forum.people_by_forum_usernames(set(holders))
        for name, ub_id in sorted(holders.items()):
            if name in active_names:
                continue
            known = people.get(name)
            grant = await uow.forum.grant_by_forum_id(ub_id)
            status = await uow.forum.ambassador_status(known.id) if known else None
            if _former(known, status) and grant is not None and grant.source == "bot":
                key, kind = f"sync:{run}:revoke:{known.id}", outbox.DISCOURSE_REVOKE_BADGE
                await queue_badge_change(uow, key, kind, known.forum_username, badge_id, grant.id, now)
                report.revoked.append(str(known.forum_username))
            else:
                report.leftovers.append(f"{_who(name, status)} holds the ambassador badge")

    async def _group(
        self,
        uow: UnitOfWork,
        report: SyncReport,
        group: str,
        members: set[str],
        active: Sequence[tuple[Ambassador, Person]],
        active_names: set[str],
        run: str,
        now: datetime,
    ) -> None:
        for _amb, person in active:
            name = str(person.forum_username)
            if name.lower() in members:
                before, _row = await uow.forum.set_membership(
                    group, name, person.id, MembershipStatus.MEMBER, "forum", now
                )
                if before != MembershipStatus.MEMBER:
                    report.recorded.append(f"{name} is in {group}")
                continue
            await outbox.queue(
                uow,
                f"sync:{run}:add:{person.id}",
                outbox.DISCOURSE_ADD_TO_GROUP,
                {"username": name, "group": group},
                now,
            )
            await uow.forum.set_membership(group, name, person.id, MembershipStatus.MEMBER, "bot", now)
            report.added.append(name)
        people = await uow.forum.people_by_forum_usernames(members)
        for name in sorted(members - active_names):
            known = people.get(name)
            status = await uow.forum.ambassador_status(known.id) if known else None
            row = await uow.forum.membership(group, name)
            if _former(known, status) and (row is None or row.source == "bot"):
                await outbox.queue(
                    uow,
                    f"sync:{run}:remove:{known.id}",
                    outbox.DISCOURSE_REMOVE_FROM_GROUP,
                    {"username": known.forum_username, "group": group},
                    now,
                )
                await uow.forum.set_membership(group, name, known.id, MembershipStatus.REMOVED, "bot", now)
                report.removed.append(str(known.forum_username))
            else:
                report.leftovers.append(f"{_who(name, status)} is in the {group} group")
