"""Organisers of a group: an organiser or a moderator adds another one."""

from __future__ import annotations

from bot.program import outbox
from bot.program.applications import FORUM_USERNAME
from bot.program.commands import user_ref
from bot.program.errors import Conflict, InvalidInput
from bot.program.groups.base import GroupBase
from bot.program.groups.forms import OrganiserAdded, slack_escape
from bot.program.groups.screening import (
    one_line,
)
from bot.program.messages import Notice
from bot.program.permissions import Permission
from storage.enums import UserGroupStatus
from storage.groups import MENTORED


class Organisers(GroupBase):
    """Organisers of a group: an organiser or a moderator adds another one."""

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
            refusal = f"Only an organiser of {g.title} or a moderator can add organisers."
            await self._require_for(actor, Permission.GROUP_ORGANISER_ADD, g, refusal)
            if g.status == UserGroupStatus.REJECTED:
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
            if g.status in MENTORED and await self._queue_forum_owner(uow, g, org.forum_username, now):
                owner = org.forum_username
            added = {"slack_user_id": slack_id, "forum_username": org.forum_username}
            await self._audit(uow, actor, now, g.id, "group.organiser_added", after=added)
            if slack_id:
                told = Notice(
                    f"<@{actor}> added you as an organiser of *{slack_escape(g.title)}*. "
                    f"`{self._settings.slack.command} group status` shows the group."
                )
                await outbox.dm(uow, f"group:{g.id}:organiser:{slack_id}", slack_id, told, now)
            result = OrganiserAdded(g.id, g.title, f"<@{slack_id}>" if slack_id else str(forum_name), owner)
        self._signal.kick()
        return result
