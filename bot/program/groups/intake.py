"""A person asks for a user group: the draft of their form, the submission and its screening."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from bot.program import outbox
from bot.program.errors import Conflict, InvalidInput, ProgramError
from bot.program.groups.base import GroupBase
from bot.program.groups.forms import GroupForm, SubmitResult, validate_request
from bot.program.groups.reports import place_of
from bot.program.groups.screening import (
    Existing,
    Place,
    Request,
    find_overlap,
    normalise_title,
    screen,
)
from storage.enums import UserGroupStatus
from storage.groups import LIVE, UserGroup
from storage.uow import UnitOfWork


class Intake(GroupBase):
    """A person asks for a user group: the draft of their form, the submission and its screening."""

    async def draft_for(self, slack_user_id: str) -> dict[str, str] | None:
        """The requester's request that needs changes, as form values; None for a new request.
        Raises Conflict while one is waiting for review."""
        async with self._uow() as uow:
            group = await uow.groups.open_request_of(slack_user_id)
            if group is None:
                return None
            if group.status == UserGroupStatus.PENDING:
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
            if group is not None and group.status == UserGroupStatus.PENDING:
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
                    UserGroup(
                        requester_slack_id=slack_user_id, status=UserGroupStatus.PENDING, revision=1, **fields
                    )
                )
                await self._add_organiser_row(uow, group.id, slack_user_id, None, slack_user_id, now)
            else:
                before = {"status": group.status, "title": group.title}
                if group.overlap_group_id != fields["overlap_group_id"]:
                    group.conflict, group.conflict_by = "", None  # a new overlap needs a new look
                for k, val in fields.items():
                    setattr(group, k, val)
                group.status, group.revision, group.change_request = (
                    UserGroupStatus.PENDING,
                    group.revision + 1,
                    "",
                )
                group.objected_by = None
            await self._add_named_organisers(uow, group.id, data, slack_user_id, now)
            if spam is not None:
                group.status, group.open_requester = UserGroupStatus.REJECTED, None
                group.decided_by, group.decided_at = "bot", now
                group.decision_reason = f"Flagged automatically: it {spam.reason}."
            else:
                group.open_requester = slack_user_id
            await uow.session.flush()
            asked = {
                "status": UserGroupStatus.PENDING,
                "title": group.title,
                "requested_name": group.requested_name,
                "flags": [f.code for f in screening.flags],
                "overlap": overlap.group_id if overlap else None,
            }
            action = "group.resubmitted" if resubmitted else "group.requested"
            await self._audit(uow, slack_user_id, now, group.id, action, before, asked)
            if spam is not None:
                rejected = {"status": UserGroupStatus.REJECTED, "reason": group.decision_reason}
                await self._audit(
                    uow, "bot", now, group.id, "group.rejected", {"status": UserGroupStatus.PENDING}, rejected
                )
                await self._tell_requester(
                    uow, group, UserGroupStatus.REJECTED, str(group.decision_reason), now
                )
            delivered = {"type": "group_message", "group_id": group.id, "slot": "review"}
            card = await self._review_card(uow, group)
            key = f"group:{group.id}:review:{group.revision}"
            await outbox.post(uow, key, self.review_channel, card, now, on_delivered=delivered)
            result = SubmitResult(
                group.id, group.title, group.status, screening.flags, screening.missing, overlap, resubmitted
            )
        self._signal.kick()
        return result

    async def _add_named_organisers(
        self, uow: UnitOfWork, group_id: int, data: GroupForm, by: str, now: datetime
    ) -> None:
        """The organisers the form names (on Slack, or by forum username) not yet organisers."""
        known = {
            (o.slack_user_id, (o.forum_username or "").lower()) for o in await uow.groups.organisers(group_id)
        }
        for uid in data.slack_organisers:
            if not any(k[0] == uid for k in known):
                await self._add_organiser_row(uow, group_id, uid, None, by, now)
        for name in data.forum_organisers:
            if not any(k[1] == name.lower() for k in known):
                await self._add_organiser_row(uow, group_id, None, name, by, now)
