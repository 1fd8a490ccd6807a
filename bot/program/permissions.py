"""Who may do what: the one place the program decides roles.

Every guarded action is a `Permission`; its value is the audit action recorded when it is refused
(`<value>.refused`), and `RULES` says who may do it and what a refused person is told. A service
calls `Guard.require(actor, permission, subject)` before it changes anything; a refusal raises
`NotAllowed` and is written to the audit log in the guard's *own* unit of work, so it stays on
record although the caller's unit of work rolls back. `Guard.allows` answers the same question
without raising or auditing, for display decisions (what the Home tab shows a moderator).

The guard reads what a rule needs (is the actor an active ambassador, an organiser of the group)
in its own read-only unit of work, so call it before the caller's unit of work writes anything.

`ServiceDeps` is what every service is built from (the composition root makes it once, with the
one guard); `GuardedService` is the base of the services whose actions the guard checks.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from enum import Enum, StrEnum
from typing import Any

from bot.config import Settings
from bot.program.errors import NotAllowed
from bot.program.forum_accounts import ForumAccounts
from bot.program.ports import Clock, NoSignal, OutboxSignal
from bot.program.roles import Roles
from storage.enums import Platform
from storage.uow import UnitOfWork


class Permission(StrEnum):
    AUDIT_READ = "audit.view"
    APPLICATION_APPROVE = "application.approve"
    APPLICATION_REJECT = "application.reject"
    BADGE_GRANT = "badge.grant"
    BADGE_REVOKE = "badge.revoke"
    EVENT_MANAGE = "event"  # the audit action names the change: event.save, event.cancelled, ...
    EXPORT = "export"
    REPORT = "report"
    NOMINATION_INVITE = "nomination.invite"
    NOMINATION_DECLINE = "nomination.decline"
    REQUEST_QUEUE = "request.queue"
    REQUEST_READ_ANY = "request.show"  # see any request, not only one's own (never audited)
    REQUEST_APPROVE = "request.approve"
    REQUEST_REJECT = "request.reject"
    REQUEST_ASK = "request.ask"
    REQUEST_CLOSE = "request.close"
    GROUP_APPROVE = "group.approve"
    GROUP_REJECT = "group.reject"
    GROUP_REQUEST_CHANGES = "group.request_changes"
    GROUP_ASK_AMBASSADORS = "group.ask_ambassadors"
    GROUP_RESOLVE_CONFLICT = "group.resolve_conflict"
    GROUP_OBJECT = "group.object"
    GROUP_ORGANISER_ADD = "group.organiser_add"
    GROUP_HANDOVER_STEP = "group.step"  # the audit action is group.step.<key>
    GROUP_RETIRE = "group.retire"
    MODERATE = "moderate"  # moderator-only items on the Home tab (never audited)
    ONBOARDING_TICK = "onboarding.tick"  # tick a step of someone's checklist
    ONBOARDING_VIEW = "onboarding.view"  # see someone else's checklist
    ONBOARDING_STUCK = "onboarding.stuck"
    LINK_MANUAL = "link.manual"  # link someone else's forum account


class Who(Enum):
    MODERATOR = "moderator"
    REVIEWER = "reviewer"  # a moderator or an active ambassador
    ORGANISER_OR_MODERATOR = "organiser_or_moderator"
    HANDOVER_ROLES = "handover_roles"  # one of the roles the handover step names


@dataclass(frozen=True)
class Rule:
    who: Who
    subject_type: str
    message: str


def _moderators(subject_type: str, message: str) -> Rule:
    return Rule(Who.MODERATOR, subject_type, message)


_APPLICATIONS = _moderators("application", "Only moderators can review applications.")
_BADGES = _moderators("slack_user", "Only moderators can grant or revoke badges.")
_NOMINATIONS = _moderators("nomination", "Only moderators can review nominations.")
_REQUESTS = _moderators("request", "Only moderators can decide on requests.")
_GROUP_REVIEW = Rule(
    Who.REVIEWER, "user_group", "Only ambassadors and moderators can review user group requests."
)

RULES: Mapping[Permission, Rule] = {
    Permission.AUDIT_READ: _moderators("slack_user", "Only moderators can read the audit log."),
    Permission.APPLICATION_APPROVE: _APPLICATIONS,
    Permission.APPLICATION_REJECT: _APPLICATIONS,
    Permission.BADGE_GRANT: _BADGES,
    Permission.BADGE_REVOKE: _BADGES,
    Permission.EVENT_MANAGE: _moderators("event_series", "Only moderators can change events."),
    Permission.EXPORT: _moderators("export", "Only moderators can export program data."),
    Permission.REPORT: _moderators("report", "Only moderators can see the program report."),
    Permission.NOMINATION_INVITE: _NOMINATIONS,
    Permission.NOMINATION_DECLINE: _NOMINATIONS,
    Permission.REQUEST_QUEUE: _moderators("request", "Only moderators can see the request queue."),
    Permission.REQUEST_READ_ANY: _moderators("request", "Only moderators can see other people's requests."),
    Permission.REQUEST_APPROVE: _REQUESTS,
    Permission.REQUEST_REJECT: _REQUESTS,
    Permission.REQUEST_ASK: _REQUESTS,
    Permission.REQUEST_CLOSE: _REQUESTS,
    Permission.GROUP_APPROVE: _GROUP_REVIEW,
    Permission.GROUP_REJECT: _GROUP_REVIEW,
    Permission.GROUP_REQUEST_CHANGES: _GROUP_REVIEW,
    Permission.GROUP_ASK_AMBASSADORS: _GROUP_REVIEW,
    Permission.GROUP_RESOLVE_CONFLICT: _GROUP_REVIEW,
    Permission.GROUP_OBJECT: _GROUP_REVIEW,
    # The messages of these two name the group: the caller passes them in the Subject.
    Permission.GROUP_ORGANISER_ADD: Rule(Who.ORGANISER_OR_MODERATOR, "user_group", ""),
    Permission.GROUP_HANDOVER_STEP: Rule(Who.HANDOVER_ROLES, "user_group", ""),
    Permission.GROUP_RETIRE: _moderators("user_group", "Only moderators can retire a user group."),
    Permission.MODERATE: _moderators("slack_user", "Only moderators can do that."),
    Permission.ONBOARDING_TICK: _moderators(
        "slack_user", "Only moderators can tick onboarding steps for someone."
    ),
    Permission.ONBOARDING_VIEW: _moderators(
        "slack_user", "Only moderators can see someone else's checklist."
    ),
    Permission.ONBOARDING_STUCK: _moderators("report", "Only moderators can see who is stuck in onboarding."),
    Permission.LINK_MANUAL: _moderators(
        "slack_user", "Only moderators can link someone else's forum account."
    ),
}


@dataclass(frozen=True)
class Subject:
    """What the action is about. `action` replaces the permission's audit action where it varies
    (`event.cancelled`, `group.step.<key>`); `message` replaces the rule's when the refusal names
    the subject; `group_id` and `roles` feed the group rules."""

    id: str | int
    action: str | None = None
    message: str | None = None
    group_id: int | None = None
    roles: frozenset[str] = field(default_factory=frozenset)  # HANDOVER_ROLES: who may tick it


class Guard:
    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        roles: Roles,
        clock: Clock,
        community_managers: Collection[str] = (),
    ) -> None:
        self._uow = uow
        self._roles = roles
        self._clock = clock
        self._community_managers = frozenset(community_managers)

    async def allows(self, actor: str, permission: Permission, subject: Subject | None = None) -> bool:
        rule = RULES[permission]
        if rule.who is Who.MODERATOR:
            return await allows_by_role(self._roles, actor, permission)
        if rule.who is Who.REVIEWER:
            if await self._roles.is_moderator(actor):
                return True
            async with self._uow() as uow:
                return await uow.groups.is_active_ambassador(actor)
        if subject is None or subject.group_id is None:
            raise ValueError(f"{permission} needs a subject with a group_id")
        if rule.who is Who.ORGANISER_OR_MODERATOR:
            if await self._roles.is_moderator(actor):
                return True
            async with self._uow() as uow:
                organisers = await uow.groups.organisers(subject.group_id)
            return any(o.slack_user_id == actor for o in organisers)
        return bool(subject.roles & await self.roles_in_group(actor, subject.group_id))

    async def roles_in_group(self, actor: str, group_id: int) -> set[str]:
        """The roles `actor` holds for one user group: moderator, community_manager (configured,
        or every moderator when none are configured), ambassador, mentor, organiser."""
        found: set[str] = set()
        if await self._roles.is_moderator(actor):
            found.add("moderator")
        managers = self._community_managers
        if actor in managers or (not managers and "moderator" in found):
            found.add("community_manager")
        async with self._uow() as uow:
            if await uow.groups.is_active_ambassador(actor):
                found.add("ambassador")
            group = await uow.groups.get(group_id)
            if group is not None and group.mentor_slack_id and group.mentor_slack_id == actor:
                found.update(("mentor", "ambassador"))
            if any(o.slack_user_id == actor for o in await uow.groups.organisers(group_id)):
                found.add("organiser")
        return found

    async def require(self, actor: str, permission: Permission, subject: Subject) -> None:
        """Return if `actor` may; otherwise audit the refusal (in its own unit of work) and raise
        NotAllowed with the message a person is shown."""
        if await self.allows(actor, permission, subject):
            return
        await self.refuse(actor, permission, subject)

    async def refuse(
        self, actor: str, permission: Permission, subject: Subject, after: dict[str, Any] | None = None
    ) -> None:
        """Audit a refusal and raise NotAllowed: also for the refusals a rule of the action itself
        decides (a moderator approving their own request)."""
        rule = RULES[permission]
        action = subject.action or permission.value
        async with self._uow() as uow:  # its own unit of work: the caller's may roll back
            await uow.audit.record(
                at=self._clock.now(),
                actor=actor,
                platform=Platform.SLACK,
                action=f"{action}.refused",
                subject_type=rule.subject_type,
                subject_id=subject.id,
                after=after,
            )
        raise NotAllowed(subject.message or rule.message)


async def allows_by_role(roles: Roles, actor: str, permission: Permission) -> bool:
    """`Guard.allows` for the moderator-only permissions, which need no database: for code that
    runs inside a unit of work that may already have written (the Home tab snapshot)."""
    if RULES[permission].who is not Who.MODERATOR:
        raise ValueError(f"{permission} is not decided by the moderator role alone")
    return await roles.is_moderator(actor)


@dataclass(frozen=True)
class ServiceDeps:
    """What every service is built from, as one value the composition root makes once: the unit
    of work factory, the settings, the roles, the clock, the outbox signal and the guard (without
    one, a guarded service builds its own from the same parts)."""

    uow: Callable[[], UnitOfWork]
    settings: Settings
    roles: Roles
    clock: Clock
    signal: OutboxSignal = field(default_factory=NoSignal)
    guard: Guard | None = None


class GuardedService:
    """The base of the services whose actions the guard checks, built from one `ServiceDeps`.
    `forum` is the forum's accounts, for the services that check a forum username before they
    record it (linking, group organisers); without it a name is taken as typed."""

    def __init__(self, deps: ServiceDeps, *, forum: ForumAccounts | None = None) -> None:
        self._deps = deps
        self._uow = deps.uow
        self._settings = deps.settings
        self._roles = deps.roles
        self._clock = deps.clock
        self._signal = deps.signal
        self._guard = deps.guard or Guard(
            deps.uow, deps.roles, deps.clock, deps.settings.groups.community_managers
        )
        self._forum = forum
