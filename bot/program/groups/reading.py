"""What people read about groups (bot.program.groups.reports does the work)."""

from __future__ import annotations

from bot.program.groups import exporting
from bot.program.groups import reports as group_reports
from bot.program.groups.base import GroupBase
from bot.program.groups.reports import GroupList, GroupView


class Reading(GroupBase):
    """What people read about groups (bot.program.groups.reports does the work)."""

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

    async def export_json(self) -> str:
        """The rows of `export_csv` as a JSON list, with typed values (bot.program.groups.exporting)."""
        async with self._uow() as uow:
            return await exporting.export_json(uow)
