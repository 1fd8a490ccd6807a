"""User groups (the OpenStack workflow): request → screening → review → mentor → handover.

A request is screened by the bot before a person sees it (bot.program.group_screening): obvious
spam is rejected at once, "not a user group" is flagged with the reason, the title is put into
the naming rule, missing details are listed and an overlap with an existing group is flagged.
Ambassadors and moderators then review it in the review channel. An overlapping request is held
until the ambassadors mark the overlap resolved. Approval names a mentor and starts the official
group handover checklist, whose last step sends the recognition message to every leader.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import jinja2

from bot.config import Settings
from bot.config_groups import GroupsSettings, template_environment
from bot.program import group_reports, outbox
from bot.program.applications import FORUM_USERNAME, FieldSpec
from bot.program.commands import user_ref
from bot.program.errors import Conflict, InvalidInput, NotAllowed, NotFound, ProgramError
from bot.program.forum_accounts import ForumAccounts, require_accounts
from bot.program.group_reports import GroupList, GroupView, organiser_label, place_of
from bot.program.group_screening import (
    Existing,
    Flag,
    Overlap,
    Place,
    Request,
    Rules,
    clean_text,
    contains_term,
    find_overlap,
    fold,
    normalise_title,
    one_line,
    parse_coordinates,
    screen,
)
from bot.program.ports import Clock, NoSignal, OutboxSignal
from bot.program.roles import Roles
from storage.groups import LIVE, GroupHandoverStep, GroupOrganiser, MentorCandidate, UserGroup
from storage.uow import UnitOfWork

GROUP_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("name", "Group name", 100, hint="The name you use today, e.g. Stackers of Auckland"),
    FieldSpec("city", "City", 100, required=False, hint="Leave empty only for a group of a whole region"),
    FieldSpec("region", "Region or state", 100, required=False),
    FieldSpec("country", "Country", 100, required=False),
    FieldSpec(
        "coordinates",
        "Map coordinates",
        60,
        required=False,
        hint="latitude, longitude, e.g. -36.85, 174.76: helps find groups nearby",
    ),
    FieldSpec("website", "Website", 300, required=False, hint="https://…"),
    FieldSpec("links", "Meetup or social links", 2000, required=False, multiline=True),
    FieldSpec(
        "organisers_forum",
        "Organisers' forum usernames",
        600,
        required=False,
        hint="Comma-separated, for organisers who are not on Slack",
    ),
    FieldSpec("description", "Description", 3000, multiline=True, hint="What the group does, and for whom"),
)
MAX_ORGANISERS = 10
ROLE_WORDS = {
    "ambassador": "an ambassador",
    "mentor": "the group's mentor",
    "community_manager": "the community manager",
    "moderator": "a moderator",
    "organiser": "an organiser of the group",
}
_URL = re.compile(r"^https?://[^\s<>|]+$")
_FORUM_GROUP = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,59}$")


# -- results -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SubmitResult:
    group_id: int
    title: str
    status: str  # "pending" or "rejected" (spam)
    flags: tuple[Flag, ...]
    missing: tuple[str, ...]
    overlap: Overlap | None
    resubmitted: bool = False


@dataclass(frozen=True)
class MentorOption:
    slack_user_id: str
    name: str
    where: str
    load: int
    score: int

    @property
    def label(self) -> str:
        groups = "1 group" if self.load == 1 else f"{self.load} groups"
        text = " · ".join(p for p in (self.name, self.where, groups) if p)
        return text if len(text) <= 75 else text[:74] + "…"


@dataclass(frozen=True)
class ApprovalForm:
    group_id: int
    title: str
    place: str
    options: tuple[MentorOption, ...]
    forum_group: str


@dataclass(frozen=True)
class Decision:
    group_id: int
    title: str
    status: str
    requester: str
    mentor: str | None = None


@dataclass(frozen=True)
class StepResult:
    group_id: int
    title: str
    step: str
    done: int
    total: int
    official: bool
    leaders: int = 0


@dataclass(frozen=True)
class OrganiserAdded:
    group_id: int
    title: str
    who: str  # a Slack mention or a forum username
    forum_owner: str | None  # the forum username made owner of the forum group, if any


@dataclass
class _Form:
    values: dict[str, str] = field(default_factory=dict)
    coordinates: tuple[float, float] | None = None
    slack_organisers: list[str] = field(default_factory=list)
    forum_organisers: list[str] = field(default_factory=list)


# -- validation --------------------------------------------------------------------------------


def validate_request(form: Mapping[str, str | None], slack_organisers: Sequence[str] = ()) -> _Form:
    """Clean the form or raise InvalidInput naming each bad field."""
    out = _Form()
    problems: dict[str, str] = {}
    for spec in GROUP_FIELDS:
        raw = form.get(spec.key)
        value = clean_text(raw) if spec.multiline else one_line(raw)
        if spec.required and not value:
            problems[spec.key] = "Please fill this in."
        elif len(value) > spec.max_len:
            problems[spec.key] = f"Please keep this under {spec.max_len} characters (it has {len(value)})."
        out.values[spec.key] = value
    website = out.values.get("website", "")
    if website and "website" not in problems and not _URL.match(website):
        problems["website"] = "Give the full address, starting with https://"
    if "coordinates" not in problems:
        try:
            out.coordinates = parse_coordinates(out.values.get("coordinates", ""))
        except ValueError as err:
            problems["coordinates"] = str(err)
    names = [n.lstrip("@") for n in re.split(r"[,;\s]+", out.values.get("organisers_forum", "")) if n.strip()]
    bad = [n for n in names if not FORUM_USERNAME.match(n)]
    if bad and "organisers_forum" not in problems:
        problems["organisers_forum"] = (
            f"{bad[0][:30]!r} is not a forum username (letters, digits, _ . and -)."
        )
    seen: set[str] = set()
    for n in names:
        if n.lower() not in seen:
            seen.add(n.lower())
            out.forum_organisers.append(n)
    for uid in slack_organisers:
        if user_ref(uid) and uid not in out.slack_organisers:
            out.slack_organisers.append(uid)
    if len(out.forum_organisers) + len(out.slack_organisers) > MAX_ORGANISERS:
        problems["organisers_forum"] = f"At most {MAX_ORGANISERS} organisers, please; add more later."
    if problems:
        raise InvalidInput("Some answers need fixing.", problems)
    return out


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class GroupService:
    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        settings: Settings,
        roles: Roles,
        clock: Clock,
        signal: OutboxSignal | None = None,
        forum: ForumAccounts | None = None,
    ) -> None:
        self._uow = uow
        self._settings = settings
        self._roles = roles
        self._clock = clock
        self._signal = signal or NoSignal()
        self._templates = template_environment()
        self._forum = forum

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

    # -- permissions ---------------------------------------------------------------------------

    async def _refuse(
        self, uow: UnitOfWork, actor: str, action: str, subject_id: int | str, message: str
    ) -> None:
        await uow.audit.record(
            at=self._clock.now(),
            actor=actor,
            platform="slack",
            action=f"{action}.refused",
            subject_type="user_group",
            subject_id=subject_id,
        )
        await uow.session.commit()  # keep the refusal on record; the action itself changes nothing
        raise NotAllowed(message)

    async def _is_reviewer(self, uow: UnitOfWork, actor: str) -> bool:
        return await self._roles.is_moderator(actor) or await uow.groups.is_active_ambassador(actor)

    async def _require_reviewer(self, uow: UnitOfWork, actor: str, action: str, group_id: int) -> None:
        if not await self._is_reviewer(uow, actor):
            await self._refuse(
                uow,
                actor,
                action,
                group_id,
                "Only ambassadors and moderators can review user group requests.",
            )

    async def _roles_of(self, uow: UnitOfWork, actor: str, group: UserGroup) -> set[str]:
        roles: set[str] = set()
        if await self._roles.is_moderator(actor):
            roles.add("moderator")
        managers = self._cfg.community_managers
        if actor in managers or (not managers and "moderator" in roles):
            roles.add("community_manager")
        if await uow.groups.is_active_ambassador(actor):
            roles.add("ambassador")
        if group.mentor_slack_id and group.mentor_slack_id == actor:
            roles.update(("mentor", "ambassador"))
        if any(o.slack_user_id == actor for o in await uow.groups.organisers(group.id)):
            roles.add("organiser")
        return roles

    async def _load(self, uow: UnitOfWork, group_id: int) -> UserGroup:
        group = await uow.groups.get(group_id)
        if group is None:
            raise NotFound(f"User group request #{group_id} does not exist.")
        return group

    @staticmethod
    def _decided(group: UserGroup) -> Conflict:
        who = f" by <@{group.decided_by}>" if group.decided_by and group.decided_by != "bot" else ""
        if group.status == "needs_changes":
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

    # -- request -------------------------------------------------------------------------------

    async def draft_for(self, slack_user_id: str) -> dict[str, str] | None:
        """The requester's request that needs changes, as form values; None for a new request.
        Raises Conflict while one is waiting for review."""
        async with self._uow() as uow:
            group = await uow.groups.open_request_of(slack_user_id)
            if group is None:
                return None
            if group.status == "pending":
                raise Conflict(
                    f"Your request #{group.id} ({group.title}) is waiting for review. You'll get a message "
                    f"when it is decided; `{self._settings.slack.command} group status` shows where it is."
                )
            organisers = await uow.groups.organisers(group.id)
            coords = (
                f"{group.latitude}, {group.longitude}"
                if group.latitude is not None and group.longitude is not None
                else ""
            )
            return {
                "group_id": str(group.id),
                "change_request": group.change_request,
                "name": group.requested_name,
                "city": group.city,
                "region": group.region,
                "country": group.country,
                "coordinates": coords,
                "website": group.website,
                "links": group.links,
                "organisers_forum": ", ".join(
                    str(o.forum_username) for o in organisers if o.forum_username and not o.slack_user_id
                ),
                "organisers_slack": ",".join(
                    str(o.slack_user_id)
                    for o in organisers
                    if o.slack_user_id and o.slack_user_id != slack_user_id
                ),
                "description": group.description,
            }

    async def submit(
        self, slack_user_id: str, form: Mapping[str, str | None], slack_organisers: Sequence[str] = ()
    ) -> SubmitResult:
        data = validate_request(form, slack_organisers)
        try:
            data.forum_organisers = await self._forum_names(data.forum_organisers)
        except ProgramError as err:
            raise InvalidInput(err.message, {"organisers_forum": err.message}) from None
        v = data.values
        cfg = self._cfg
        now = self._clock.now()
        lat, lon = data.coordinates if data.coordinates else (None, None)
        title = normalise_title(v["name"], cfg.community, v["city"], v["region"], v["country"])
        req = Request(
            v["name"],
            v["city"],
            v["region"],
            v["country"],
            v["website"],
            v["links"],
            v["description"],
            lat,
            lon,
        )
        screening = screen(req, self.rules())
        async with self._uow() as uow:
            group = await uow.groups.open_request_of(slack_user_id)
            if group is not None and group.status == "pending":
                raise Conflict(f"Your request #{group.id} ({group.title}) is already waiting for review.")
            place = Place(v["city"], v["region"], v["country"], lat, lon)
            others = [
                Existing(g.id, g.title, place_of(g))
                for g in await uow.groups.with_status(LIVE)
                if group is None or g.id != group.id
            ]
            overlap = find_overlap(place, others, cfg.overlap_km)
            spam = screening.spam if cfg.auto_reject_spam else None
            fields: dict[str, Any] = {
                "title": title.title,
                "requested_name": v["name"],
                "pet_name": title.pet_name,
                "city": v["city"],
                "region": v["region"],
                "country": v["country"],
                "latitude": lat,
                "longitude": lon,
                "website": v["website"],
                "links": v["links"],
                "description": v["description"],
                "flags": [{"code": f.code, "reason": f.reason} for f in screening.flags],
                "missing": list(screening.missing),
                "overlap_group_id": overlap.group_id if overlap else None,
                "overlap_reason": overlap.reason if overlap else "",
                "submitted_at": now,
                "updated_at": now,
            }
            resubmitted = group is not None
            before: dict[str, Any] | None = None
            if group is None:
                group = await uow.groups.add(
                    UserGroup(requester_slack_id=slack_user_id, status="pending", revision=1, **fields)
                )
                await self._add_organiser_row(uow, group.id, slack_user_id, None, slack_user_id, now)
            else:
                before = {"status": group.status, "title": group.title}
                if group.overlap_group_id != fields["overlap_group_id"]:
                    group.conflict, group.conflict_by = "", None  # a new overlap needs a new look
                for k, val in fields.items():
                    setattr(group, k, val)
                group.status, group.revision, group.change_request = "pending", group.revision + 1, ""
                group.objected_by = None
            known = {
                (o.slack_user_id, (o.forum_username or "").lower())
                for o in await uow.groups.organisers(group.id)
            }
            for uid in data.slack_organisers:
                if not any(k[0] == uid for k in known):
                    await self._add_organiser_row(uow, group.id, uid, None, slack_user_id, now)
            for name in data.forum_organisers:
                if not any(k[1] == name.lower() for k in known):
                    await self._add_organiser_row(uow, group.id, None, name, slack_user_id, now)
            if spam is not None:
                group.status, group.open_requester = "rejected", None
                group.decided_by, group.decided_at = "bot", now
                group.decision_reason = f"Flagged automatically: it {spam.reason}."
            else:
                group.open_requester = slack_user_id
            await uow.session.flush()
            await uow.audit.record(
                at=now,
                actor=slack_user_id,
                platform="slack",
                action="group.resubmitted" if resubmitted else "group.requested",
                subject_type="user_group",
                subject_id=group.id,
                before=before,
                after={
                    "status": "pending",
                    "title": group.title,
                    "requested_name": group.requested_name,
                    "flags": [f.code for f in screening.flags],
                    "overlap": overlap.group_id if overlap else None,
                },
            )
            if spam is not None:
                await uow.audit.record(
                    at=now,
                    actor="bot",
                    platform="slack",
                    action="group.rejected",
                    subject_type="user_group",
                    subject_id=group.id,
                    before={"status": "pending"},
                    after={"status": "rejected", "reason": group.decision_reason},
                )
                await self._tell_requester(uow, group, "rejected", str(group.decision_reason), now)
            await outbox.queue(
                uow,
                f"group:{group.id}:review:{group.revision}",
                outbox.SLACK_POST,
                {
                    "channel": self.review_channel,
                    "template": "group_review",
                    "data": await self._review_data(uow, group),
                    "on_delivered": {"type": "group_message", "group_id": group.id, "slot": "review"},
                },
                now,
            )
            result = SubmitResult(
                group.id, group.title, group.status, screening.flags, screening.missing, overlap, resubmitted
            )
        self._signal.kick()
        return result

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

    # -- what the review message shows ----------------------------------------------------------

    async def _review_data(self, uow: UnitOfWork, g: UserGroup) -> dict[str, Any]:
        organisers = await uow.groups.organisers(g.id)
        overlap: dict[str, Any] | None = None
        if g.overlap_group_id is not None:
            other = await uow.groups.get(g.overlap_group_id)
            overlap = {
                "id": g.overlap_group_id,
                "title": other.title if other else f"#{g.overlap_group_id}",
                "status": other.status if other else "",
                "reason": g.overlap_reason,
            }
        return {
            "group_id": g.id,
            "revision": g.revision,
            "title": g.title,
            "requested_name": g.requested_name,
            "city": g.city,
            "region": g.region,
            "country": g.country,
            "coordinates": (
                f"{g.latitude:.4f}, {g.longitude:.4f}"
                if g.latitude is not None and g.longitude is not None
                else ""
            ),
            "website": g.website,
            "links": g.links[:1000],
            "description": g.description[:1500],
            "requester": g.requester_slack_id,
            "organisers": [organiser_label(o) for o in organisers],
            "flags": list(g.flags or []),
            "missing": list(g.missing or []),
            "overlap": overlap,
            "conflict": g.conflict,
            "conflict_by": g.conflict_by,
            "objected_by": g.objected_by,
            "auto_approve_hours": self._cfg.auto_approve_hours,
            "status": g.status,
            "decided_by": g.decided_by,
            "reason": g.decision_reason,
            "change_request": g.change_request,
            "mentor": g.mentor_slack_id,
        }

    async def _update_review(
        self, uow: UnitOfWork, g: UserGroup, channel: str | None, ts: str | None, now: datetime
    ) -> None:
        channel, ts = g.review_channel or channel, g.review_ts or ts
        if not channel or not ts:
            return  # not posted yet (nobody can have clicked it): nothing to update
        await outbox.queue(
            uow,
            f"group:{g.id}:review-update:{uuid.uuid4().hex}",
            outbox.SLACK_UPDATE,
            {
                "channel": channel,
                "ts": ts,
                "template": "group_review",
                "data": await self._review_data(uow, g),
            },
            now,
        )

    async def _tell_requester(
        self, uow: UnitOfWork, g: UserGroup, outcome: str, text: str, now: datetime
    ) -> None:
        data: dict[str, Any] = {
            "group_id": g.id,
            "title": g.title,
            "outcome": outcome,
            "text": text,
            "command": self._settings.slack.command,
            "mentor": g.mentor_slack_id,
            "what_is": self._cfg.what_is_a_user_group_url if outcome == "rejected" else "",
        }
        await outbox.queue(
            uow,
            f"group:{g.id}:{outcome}:{g.revision}",
            outbox.SLACK_DM,
            {"user": g.requester_slack_id, "template": "group_outcome", "data": data},
            now,
        )

    # -- review --------------------------------------------------------------------------------

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
            await self._require_reviewer(uow, actor, "group.approve", group_id)
            g = await self._load(uow, group_id)
            self._check_pending(g, actor)
            self._check_hold(g)
            options = await self._suggest_mentors(uow, g)
            if not options:
                raise Conflict("There is no active ambassador on Slack who could mentor this group yet.")
            return ApprovalForm(g.id, g.title, place_of(g).describe(), options, g.forum_group)

    def _check_pending(self, g: UserGroup, actor: str) -> None:
        if g.status != "pending":
            raise self._decided(g)
        if g.requester_slack_id == actor:
            raise NotAllowed("You can't review your own request; another ambassador or a moderator will.")

    async def approve(
        self,
        actor: str,
        group_id: int,
        mentor: str,
        forum_group: str = "",
        channel: str | None = None,
        ts: str | None = None,
    ) -> Decision:
        forum_group = one_line(forum_group).lstrip("@")
        if forum_group and not _FORUM_GROUP.match(forum_group):
            raise InvalidInput(
                "Not a forum group name.",
                {"forum_group": "Use the group's name as in its forum address (letters, digits, _ . -)."},
            )
        now = self._clock.now()
        async with self._uow() as uow:
            await self._require_reviewer(uow, actor, "group.approve", group_id)
            result = await self._approve(uow, actor, group_id, mentor, forum_group, channel, ts, now)
        self._signal.kick()
        return result

    async def _approve(
        self,
        uow: UnitOfWork,
        actor: str,
        group_id: int,
        mentor: str,
        forum_group: str,
        channel: str | None,
        ts: str | None,
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
            ("pending",),
            status="approved",
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
        await uow.audit.record(
            at=now,
            actor=actor,
            platform="slack",
            action="group.approved",
            subject_type="user_group",
            subject_id=g.id,
            before={"status": "pending"},
            after={"status": "approved", "mentor": mentor, "forum_group": forum_group or None},
        )
        await self._update_review(uow, g, channel, ts, now)
        await self._tell_requester(uow, g, "approved", "", now)
        await outbox.queue(
            uow,
            f"group:{g.id}:mentor:{mentor}",
            outbox.SLACK_DM,
            {
                "user": mentor,
                "template": "group_mentor",
                "data": {"group_id": g.id, "title": g.title, "requester": g.requester_slack_id, "by": actor},
            },
            now,
        )
        await outbox.queue(
            uow,
            f"group:{g.id}:handover",
            outbox.SLACK_POST,
            {
                "channel": self.review_channel,
                "template": "group_handover",
                "data": await self._handover_data(uow, g),
                "on_delivered": {"type": "group_message", "group_id": g.id, "slot": "handover"},
            },
            now,
        )
        for o in await uow.groups.organisers(g.id):
            await self._queue_forum_owner(uow, g, o.forum_username, now)
        return Decision(g.id, g.title, "approved", g.requester_slack_id, mentor)

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

    async def reason_form(self, actor: str, group_id: int, mode: str) -> tuple[str, str]:
        """(title, prefilled text) for the Reject or Needs changes modal, after the checks."""
        async with self._uow() as uow:
            action = "group.reject" if mode == "reject" else "group.request_changes"
            await self._require_reviewer(uow, actor, action, group_id)
            g = await self._load(uow, group_id)
            self._check_pending(g, actor)
            self._check_hold(g, deciding=False)
            if mode == "reject":
                reasons = [str(f.get("reason", "")) for f in g.flags or []]
                text = f"This request {'; it '.join(reasons)}." if reasons else ""
            else:
                text = ("Please add " + "; ".join(g.missing) + ".") if g.missing else ""
            return g.title, text[:2000]

    @staticmethod
    def _clean_reason(text: str, field_name: str) -> str:
        text = clean_text(text)
        if not text:
            raise InvalidInput("Please write something.", {field_name: "Please write it for the requester."})
        if len(text) > 2000:
            raise InvalidInput("Too long.", {field_name: "Please keep it under 2000 characters."})
        return text

    async def reject(
        self, actor: str, group_id: int, reason: str, channel: str | None = None, ts: str | None = None
    ) -> Decision:
        reason = self._clean_reason(reason, "reason")
        now = self._clock.now()
        async with self._uow() as uow:
            await self._require_reviewer(uow, actor, "group.reject", group_id)
            g = await self._load(uow, group_id)
            self._check_pending(g, actor)
            self._check_hold(g, deciding=False)
            if not await uow.groups.move(
                g.id,
                ("pending",),
                status="rejected",
                decided_by=actor,
                decided_at=now,
                decision_reason=reason,
                open_requester=None,
                updated_at=now,
            ):
                raise Conflict(f"Request #{g.id} was decided by someone else a moment ago.")
            g = await self._load(uow, g.id)
            await uow.audit.record(
                at=now,
                actor=actor,
                platform="slack",
                action="group.rejected",
                subject_type="user_group",
                subject_id=g.id,
                before={"status": "pending"},
                after={"status": "rejected", "reason": reason},
            )
            await self._tell_requester(uow, g, "rejected", reason, now)
            await self._update_review(uow, g, channel, ts, now)
            result = Decision(g.id, g.title, "rejected", g.requester_slack_id)
        self._signal.kick()
        return result

    async def request_changes(
        self, actor: str, group_id: int, what: str, channel: str | None = None, ts: str | None = None
    ) -> Decision:
        what = self._clean_reason(what, "reason")
        now = self._clock.now()
        async with self._uow() as uow:
            await self._require_reviewer(uow, actor, "group.request_changes", group_id)
            g = await self._load(uow, group_id)
            self._check_pending(g, actor)
            self._check_hold(g, deciding=False)
            if not await uow.groups.move(
                g.id,
                ("pending",),
                status="needs_changes",
                change_request=what,
                decided_by=actor,
                updated_at=now,
            ):
                raise Conflict(f"Request #{g.id} was decided by someone else a moment ago.")
            g = await self._load(uow, g.id)
            await uow.audit.record(
                at=now,
                actor=actor,
                platform="slack",
                action="group.changes_requested",
                subject_type="user_group",
                subject_id=g.id,
                before={"status": "pending"},
                after={"status": "needs_changes", "what": what},
            )
            await self._tell_requester(uow, g, "needs_changes", what, now)
            await self._update_review(uow, g, channel, ts, now)
            result = Decision(g.id, g.title, "needs_changes", g.requester_slack_id)
        self._signal.kick()
        return result

    async def ask_ambassadors(
        self, actor: str, group_id: int, channel: str | None = None, ts: str | None = None
    ) -> Decision:
        now = self._clock.now()
        async with self._uow() as uow:
            await self._require_reviewer(uow, actor, "group.ask_ambassadors", group_id)
            g = await self._load(uow, group_id)
            if g.status != "pending":
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
                platform="slack",
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
            result = Decision(g.id, g.title, "pending", g.requester_slack_id)
        self._signal.kick()
        return result

    async def resolve_conflict(
        self, actor: str, group_id: int, channel: str | None = None, ts: str | None = None
    ) -> Decision:
        now = self._clock.now()
        async with self._uow() as uow:
            await self._require_reviewer(uow, actor, "group.resolve_conflict", group_id)
            g = await self._load(uow, group_id)
            if g.requester_slack_id == actor:
                raise NotAllowed("The overlap of your own request is for the other ambassadors to resolve.")
            if g.conflict == "resolved":
                raise Conflict(
                    f"The overlap of request #{g.id} was already marked resolved by <@{g.conflict_by}>."
                )
            if g.status != "pending" or g.conflict != "open":
                raise Conflict(f"Request #{g.id} has no overlap waiting to be resolved.")
            if not await uow.groups.set_conflict(g.id, "open", "resolved", actor, now):
                raise Conflict(f"Someone else just marked the overlap of request #{g.id} resolved.")
            g = await self._load(uow, g.id)
            await uow.audit.record(
                at=now,
                actor=actor,
                platform="slack",
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
            result = Decision(g.id, g.title, "pending", g.requester_slack_id)
        self._signal.kick()
        return result

    async def object(
        self, actor: str, group_id: int, channel: str | None = None, ts: str | None = None
    ) -> Decision:
        """An ambassador objects: no automatic approval, a person decides."""
        now = self._clock.now()
        async with self._uow() as uow:
            await self._require_reviewer(uow, actor, "group.object", group_id)
            g = await self._load(uow, group_id)
            self._check_pending(g, actor)
            if g.objected_by:
                raise Conflict(f"<@{g.objected_by}> already objected; a reviewer decides request #{g.id}.")
            g.objected_by, g.updated_at = actor, now
            await uow.audit.record(
                at=now,
                actor=actor,
                platform="slack",
                action="group.objected",
                subject_type="user_group",
                subject_id=g.id,
            )
            await self._update_review(uow, g, channel, ts, now)
            result = Decision(g.id, g.title, "pending", g.requester_slack_id)
        self._signal.kick()
        return result

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
                if g is None or g.status != "pending" or g.objected_by or g.flags or g.conflict == "open":
                    continue
                if g.overlap_group_id is not None and g.conflict != "resolved":
                    continue
                options = await self._suggest_mentors(uow, g)
                if not options:
                    continue
                try:
                    await self._approve(uow, "bot", g.id, options[0].slack_user_id, "", None, None, now)
                except (Conflict, InvalidInput, NotAllowed):
                    continue
                approved.append(g.id)
        if approved:
            self._signal.kick()
        return approved

    # -- organisers ----------------------------------------------------------------------------

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

    async def add_organiser(self, actor: str, group_ref: str, who: str) -> OrganiserAdded:
        """`who` is a Slack mention/id or a forum username (which must be a forum account)."""
        who = one_line(who)
        slack_id = user_ref(who)
        forum_name = None if slack_id else who.lstrip("@")
        if forum_name is not None and not FORUM_USERNAME.match(forum_name):
            raise InvalidInput(f"{who[:40]!r} is neither a Slack mention (@name) nor a forum username.")
        if forum_name is not None:
            [forum_name] = await self._forum_names([forum_name])
        now = self._clock.now()
        async with self._uow() as uow:
            g = await self._find(uow, group_ref)
            organisers = await uow.groups.organisers(g.id)
            is_organiser = any(o.slack_user_id == actor for o in organisers)
            if not is_organiser and not await self._roles.is_moderator(actor):
                await self._refuse(
                    uow,
                    actor,
                    "group.organiser_add",
                    g.id,
                    f"Only an organiser of {g.title} or a moderator can add organisers.",
                )
            if g.status == "rejected":
                raise Conflict(
                    f"Request #{g.id} ({g.title}) was not accepted; it has no organisers to add to."
                )
            for o in organisers:
                if (slack_id and o.slack_user_id == slack_id) or (
                    forum_name and (o.forum_username or "").lower() == forum_name.lower()
                ):
                    raise Conflict(f"{who} is already an organiser of {g.title}.")
            org = await self._add_organiser_row(uow, g.id, slack_id, forum_name, actor, now)
            owner = None
            if g.status in ("approved", "official") and await self._queue_forum_owner(
                uow, g, org.forum_username, now
            ):
                owner = org.forum_username
            await uow.audit.record(
                at=now,
                actor=actor,
                platform="slack",
                action="group.organiser_added",
                subject_type="user_group",
                subject_id=g.id,
                after={"slack_user_id": slack_id, "forum_username": org.forum_username},
            )
            if slack_id:
                await outbox.queue(
                    uow,
                    f"group:{g.id}:organiser:{slack_id}",
                    outbox.SLACK_DM,
                    {
                        "user": slack_id,
                        "template": "notice",
                        "data": {
                            "text": f"<@{actor}> added you as an organiser of *{_slack_escape(g.title)}*. "
                            f"`{self._settings.slack.command} group status` shows the group."
                        },
                    },
                    now,
                )
            result = OrganiserAdded(g.id, g.title, f"<@{slack_id}>" if slack_id else str(forum_name), owner)
        self._signal.kick()
        return result

    # -- handover ------------------------------------------------------------------------------

    async def _handover_data(self, uow: UnitOfWork, g: UserGroup) -> dict[str, Any]:
        steps = await uow.groups.steps(g.id)
        return {
            "group_id": g.id,
            "title": g.title,
            "mentor": g.mentor_slack_id,
            "status": g.status,
            "steps": [
                {
                    "key": s.key,
                    "title": s.title,
                    "who": [ROLE_WORDS.get(r, r) for r in s.completes.split(",") if r],
                    "needs": s.needs,
                    "done": s.completed_at is not None,
                    "by": s.completed_by,
                    "at": _iso(s.completed_at),
                    "value": s.value,
                }
                for s in steps
            ],
        }

    async def step_needs(self, actor: str, group_id: int, key: str) -> tuple[str, str]:
        """(step title, what it needs) after the permission check, so a person who may not tick
        the step is told so before any modal opens."""
        async with self._uow() as uow:
            _g, step = await self._check_step(uow, actor, group_id, key)
            return step.title, step.needs

    async def _check_step(
        self, uow: UnitOfWork, actor: str, group_id: int, key: str
    ) -> tuple[UserGroup, GroupHandoverStep]:
        g = await self._load(uow, group_id)
        steps = {s.key: s for s in await uow.groups.steps(g.id)}
        step = steps.get(key)
        if step is None:
            raise NotFound(f"{g.title} has no handover step {key[:40]!r}.")
        allowed = {r for r in step.completes.split(",") if r}
        if not allowed & await self._roles_of(uow, actor, g):
            who = " or ".join(ROLE_WORDS.get(r, r) for r in sorted(allowed))
            await self._refuse(
                uow, actor, f"group.step.{key}", g.id, f"“{step.title}” can only be ticked by {who}."
            )
        if step.completed_at is not None:
            raise Conflict(
                f"“{step.title}” was already done by <@{step.completed_by}> on {step.completed_at:%Y-%m-%d}."
            )
        if g.status == "official":
            raise Conflict(f"{g.title} is already official.")
        if g.status != "approved":
            raise Conflict(f"{g.title} is not approved, so its handover has not started.")
        return g, step

    async def complete_step(
        self,
        actor: str,
        group_id: int,
        key: str,
        value: str | None = None,
        channel: str | None = None,
        ts: str | None = None,
    ) -> StepResult:
        now = self._clock.now()
        async with self._uow() as uow:
            g, step = await self._check_step(uow, actor, group_id, key)
            if step.needs == "link":
                value = one_line(value)
                if not value:
                    raise InvalidInput(
                        "A link is needed.", {"value": "Paste the link (or the Slack file's link)."}
                    )
                if not _URL.match(value) or len(value) > 1000:
                    raise InvalidInput("Not a link.", {"value": "Give a full link starting with https://"})
            else:
                value = None
            if not await uow.groups.complete_step(g.id, key, actor, now, value):
                raise Conflict(f"“{step.title}” was done by someone else a moment ago.")
            await uow.audit.record(
                at=now,
                actor=actor,
                platform="slack",
                action="group.step_done",
                subject_type="user_group",
                subject_id=g.id,
                after={"step": key, "value": value},
            )
            steps = await uow.groups.steps(g.id)
            done = sum(1 for s in steps if s.completed_at is not None)
            official = False
            leaders = 0
            if done == len(steps) and await uow.groups.move(
                g.id, ("approved",), status="official", official_at=now, updated_at=now
            ):
                g = await self._load(uow, g.id)
                official = True
                leaders = await self._recognise(uow, g, now)
            channel, ts = g.handover_channel or channel, g.handover_ts or ts
            if channel and ts:
                await outbox.queue(
                    uow,
                    f"group:{g.id}:handover-update:{uuid.uuid4().hex}",
                    outbox.SLACK_UPDATE,
                    {
                        "channel": channel,
                        "ts": ts,
                        "template": "group_handover",
                        "data": await self._handover_data(uow, g),
                    },
                    now,
                )
            result = StepResult(g.id, g.title, step.title, done, len(steps), official, leaders)
        self._signal.kick()
        return result

    def render_recognition(self, g: UserGroup, leader: str, mentor: str, slack: bool) -> tuple[str, str]:
        """(title, text) of the recognition message from the configured Jinja2 templates.
        For Slack the values are escaped (a group name can't ping @channel); `leader` and
        `mentor` are passed as they should appear (a Slack mention, or a forum name)."""

        def esc(text: str) -> str:
            return _slack_escape(text) if slack else text

        values = {
            "group": esc(g.title),
            "leader": leader,
            "community": esc(self._cfg.community),
            "city": esc(g.city),
            "region": esc(g.region),
            "country": esc(g.country),
            "mentor": mentor,
            "program": esc(self._settings.program.name),
        }
        try:
            text = self._templates.from_string(self._cfg.recognition_template).render(values)
            title = self._templates.from_string(self._cfg.recognition_title).render(values)
        except jinja2.TemplateError as err:
            raise Conflict(f"The recognition template in the config does not render: {err}") from None
        return one_line(title)[:200], text.strip()[:3500]

    async def _recognise(self, uow: UnitOfWork, g: UserGroup, now: datetime) -> int:
        """The recognition message, once to every leader: a Slack DM to leaders on Slack, a forum
        private message to the others. Outbox keys are per group and leader, so it can't repeat."""
        mentor_person = await uow.people.by_slack_id(g.mentor_slack_id) if g.mentor_slack_id else None
        # Each delivery's outcome is recorded; the last one posts who got it and who did not.
        report = {"type": "group_recognition", "group_id": g.id, "channel": self.review_channel}
        count = 0
        for o in await uow.groups.organisers(g.id):
            if o.slack_user_id:
                title, text = self.render_recognition(
                    g, f"<@{o.slack_user_id}>", f"<@{g.mentor_slack_id}>" if g.mentor_slack_id else "", True
                )
                await outbox.queue(
                    uow,
                    f"{group_reports.recognition_key_prefix(g.id)}slack:{o.slack_user_id}",
                    outbox.SLACK_DM,
                    {
                        "user": o.slack_user_id,
                        "template": "group_recognition",
                        "data": {"title": title, "text": text},
                        "on_delivered": report,
                    },
                    now,
                )
                count += 1
            elif o.forum_username and self._settings.discourse.enabled:
                mentor = ""
                if mentor_person is not None:
                    mentor = (
                        f"@{mentor_person.forum_username}"
                        if mentor_person.forum_username and mentor_person.forum_linked_at
                        else mentor_person.display_name
                    )
                title, text = self.render_recognition(g, o.forum_username, mentor, False)
                await outbox.queue(
                    uow,
                    f"{group_reports.recognition_key_prefix(g.id)}forum:{o.forum_username.lower()}",
                    outbox.DISCOURSE_POST,
                    {
                        "title": title,
                        "raw": text,
                        "target_recipients": o.forum_username,
                        "archetype": "private_message",
                        "on_delivered": report,
                    },
                    now,
                )
                count += 1
        await uow.audit.record(
            at=now,
            actor="bot",
            platform="slack",
            action="group.official",
            subject_type="user_group",
            subject_id=g.id,
            before={"status": "approved"},
            after={"status": "official", "leaders_recognised": count},
        )
        await outbox.queue(
            uow,
            f"group:{g.id}:official",
            outbox.SLACK_POST,
            {
                "channel": self.review_channel,
                "template": "notice",
                "data": {
                    "text": f"🎉 *{_slack_escape(g.title)}* is now an official user group. "
                    + (
                        f"The recognition message is on its way to {count} "
                        f"leader{'s' if count != 1 else ''}; the delivery report follows here."
                        if count
                        else "No leader can be sent the recognition message (none on Slack, and the "
                        "forum is not connected)."
                    )
                },
            },
            now,
        )
        return count

    # -- reading (bot.program.group_reports) ---------------------------------------------------

    async def status_for(self, slack_user_id: str) -> list[GroupView]:
        """The requester's (or organiser's) groups, newest first, with their handover steps."""
        async with self._uow() as uow:
            groups = list(await uow.groups.of_person(slack_user_id))[:10]
            return await group_reports.group_views(uow, groups, with_steps=True)

    async def list_groups(self, text: str) -> GroupList:
        """`groups`, `groups status <s>`, `groups near <place>`."""
        async with self._uow() as uow:
            return await group_reports.list_groups(uow, text, self._cfg.near_km)

    async def export_csv(self) -> str:
        """Every group with status, mentor and organisers (spreadsheet-ready CSV)."""
        async with self._uow() as uow:
            return await group_reports.export_csv(uow)


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
