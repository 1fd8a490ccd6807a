"""A moderator retires an approved or official user group that no longer meets. It stops being a
home group at once: every profile that named it loses it in the same unit of work, each audited."""

from __future__ import annotations

from dataclasses import dataclass

from bot.program import audit
from bot.program.errors import Conflict
from bot.program.groups.base import GroupBase
from bot.program.groups.screening import one_line
from bot.program.permissions import Permission, Subject
from storage.enums import UserGroupStatus
from storage.groups import MENTORED

MAX_REASON = 500


@dataclass(frozen=True)
class Retired:
    group_id: int
    title: str
    home_group_cleared: int  # profiles that named it as their home group


class Retiring(GroupBase):
    async def retire(self, actor: str, group_ref: str, reason: str) -> Retired:
        """Retire the group (its title or #number); Conflict unless it is approved or official."""
        reason = one_line(reason)[:MAX_REASON]
        now = self._clock.now()
        async with self._uow() as uow:
            g = await self._find(uow, group_ref)
            await self._guard.require(actor, Permission.GROUP_RETIRE, Subject(g.id))
            if g.status not in MENTORED:
                raise Conflict(f"Only an approved or official group can be retired; #{g.id} is {g.status}.")
            before = g.status
            if not await uow.groups.move(
                g.id, MENTORED, status=UserGroupStatus.RETIRED, updated_at=now, decision_reason=reason or None
            ):
                raise Conflict(f"Group #{g.id} changed a moment ago; please try again.")
            after = {"status": UserGroupStatus.RETIRED, "reason": reason}
            await self._audit(uow, actor, now, g.id, "group.retired", {"status": before}, after)
            cleared = await uow.profiles.clear_home_group(g.id)
            for person_id in cleared:
                await audit.log(
                    uow,
                    now,
                    actor,
                    "profile.home_group_cleared",
                    ("person", person_id),
                    before={"home_group_id": g.id},
                    after={"home_group_id": None, "why": "group retired"},
                )
            result = Retired(g.id, g.title, len(cleared))
        return result
