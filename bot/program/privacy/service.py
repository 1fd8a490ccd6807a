"""`PrivacyService`: what the CLI calls for `export person` and `forget` (the package docstring says
what each table keeps)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.program.errors import NotFound
from bot.program.ports import Clock
from bot.program.privacy.export import collect
from bot.program.privacy.forget import ForgetReport, forget_person
from bot.program.privacy.identity import identify
from storage.uow import UnitOfWork


class _Rollback(Exception):
    def __init__(self, report: ForgetReport) -> None:
        super().__init__("dry run")
        self.report = report


class PrivacyService:
    def __init__(self, uow: Callable[[], UnitOfWork], clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def export(self, who: str) -> dict[str, Any]:
        """Everything held about one person, as JSON-ready data."""
        async with self._uow() as uow:
            repo = uow.privacy
            ident = await identify(repo, who)
            if ident.forgotten:
                raise NotFound(f"Person #{ident.person_id} was forgotten; nothing about them is held.")
            return await collect(repo, ident)

    async def forget(self, who: str, *, dry_run: bool = False) -> ForgetReport:
        """Delete or anonymise everything personal about one person (see the package docstring).
        With dry_run, the same work is done and rolled back: the report says what would change."""
        try:
            async with self._uow() as uow:
                repo = uow.privacy
                ident = await identify(repo, who)
                report = ForgetReport(ident.person_id)
                if ident.forgotten:
                    report.already_forgotten = True
                    return report
                await forget_person(uow, repo, ident, report, self._clock.now())
                if dry_run:
                    raise _Rollback(report)
                return report
        except _Rollback as rb:
            return rb.report
