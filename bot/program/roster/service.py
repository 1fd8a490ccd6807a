"""`RosterService`: bringing existing ambassadors in from a CSV file (`import ambassadors`).

The file is parsed (parse.py), each line resolved to its Slack user (resolve.py), compared with
the records (plan.py) and, unless it is a dry run, written in ONE unit of work (apply.py): all or
nothing while any line is refused, unless `skip_bad`, which writes the good lines. A second run of
the same file finds every line unchanged and writes nothing but its audit entry.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from bot.program import audit
from bot.program.badges.sync import ForumState
from bot.program.permissions import ServiceDeps
from bot.program.roster.apply import ForumView, Writing, write_line
from bot.program.roster.parse import Refusal, RosterLine, parse_roster
from bot.program.roster.plan import Outcome, Planned, plan_line
from bot.program.roster.resolve import SlackPeople, resolve
from storage.enums import AmbassadorStatus, Platform
from storage.roster import roster_of

LOOKUPS_PER_MINUTE = 50  # users.lookupByEmail is Tier 3: https://api.slack.com/docs/rate-limits
CLI_OPERATOR = "cli"  # the actor of a CLI change without --as (as `forget` and `sync` record it)


def plural(n: int, word: str) -> str:
    if n == 1:
        return f"{n} {word}"
    return f"{n} {word}es" if word.endswith(("s", "x")) else f"{n} {word}s"


@dataclass(frozen=True)
class ImportOptions:
    operator: str = CLI_OPERATOR
    dry_run: bool = False
    skip_bad: bool = False
    grant: bool = True  # False: --no-grant, the forum is left alone
    onboarding_done: bool = True  # False: --onboarding open
    source: str = "roster.csv"  # the file's name, for the audit entry


@dataclass
class ImportReport:
    total: int
    planned: list[Planned] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)
    written: bool = False
    forum_queued: int = 0

    def count(self, outcome: Outcome) -> int:
        if outcome == Outcome.REFUSED:
            return len(self.refused)
        return sum(1 for p in self.planned if p.outcome == outcome)

    def summary(self) -> str:
        counts = ", ".join(f"{self.count(o)} {o}" for o in Outcome)
        return f"{plural(self.total, 'line')}: {counts}"

    def lines(self) -> list[str]:
        """One line per line of the file that is not unchanged, in file order."""
        shown: list[tuple[int, str]] = [(r.line, str(r)) for r in self.refused]
        for p in self.planned:
            if p.outcome == Outcome.UNCHANGED:
                continue
            who = f"{p.line.name} ({p.slack_id or p.line.forum_username})"
            what = ", ".join(f"{k} {old or '-'} → {new}" for k, (old, new) in p.changes.items())
            detail = f": {what}" if p.outcome == Outcome.UPDATED else ""
            shown.append((p.line.line, f"line {p.line.line}: {p.outcome} {who}{detail}"))
        return [text for _n, text in sorted(shown)]


class RosterService:
    def __init__(self, deps: ServiceDeps, slack: SlackPeople | None, forum: ForumState | None) -> None:
        self._uow = deps.uow
        self._settings = deps.settings
        self._clock = deps.clock
        self._signal = deps.signal
        self._slack = slack
        self._forum = forum

    async def import_csv(
        self, data: bytes, options: ImportOptions, notice: Callable[[str], None] = lambda _text: None
    ) -> ImportReport:
        """Parse, resolve, plan and (unless refused or a dry run) write; raises parse.FileRefused
        for a file that cannot be read as a roster. `notice` hears how long the look-ups take."""
        now = self._clock.now()
        parsed = parse_roster(data, self._settings.program.term_end, now.date())
        report = ImportReport(parsed.total, refused=list(parsed.refused))
        assert self._slack is not None, "an import resolves its lines through Slack"
        emails = sum(1 for line in parsed.lines if line.slack_id is None)
        if emails > LOOKUPS_PER_MINUTE:
            minutes = math.ceil(emails / LOOKUPS_PER_MINUTE)
            notice(
                f"Looking up {plural(emails, 'email address')} in Slack: about {LOOKUPS_PER_MINUTE} "
                f"a minute (Slack's Tier 3), so about {plural(minutes, 'minute')}…"
            )
        resolved, unknown = await resolve(parsed.lines, self._slack)
        report.refused += unknown
        return await self.write([(r.line, r.slack_id) for r in resolved], report, options)

    async def write(
        self, lines: Sequence[tuple[RosterLine, str | None]], report: ImportReport, options: ImportOptions
    ) -> ImportReport:
        """Plan `lines` against the records and write them in one unit of work (see the module)."""
        forum = await self._forum_view(options, [line for line, _s in lines])
        now = self._clock.now()
        async with self._uow() as uow:
            repo = roster_of(uow)
            held = await repo.held([s for _l, s in lines if s], [line.forum_username for line, _s in lines])
            for line, slack_id in lines:
                planned = plan_line(line, slack_id, held)
                if isinstance(planned, Refusal):
                    report.refused.append(planned)
                else:
                    report.planned.append(planned)
            if options.dry_run or (report.refused and not options.skip_bad):
                return report
            w = Writing(
                self._settings, options.operator, now, uuid.uuid4().hex[:8], options.onboarding_done, forum
            )
            for p in report.planned:
                if p.outcome != Outcome.UNCHANGED:
                    report.forum_queued += len(await write_line(uow, repo, p, w))
            after = {o.value: report.count(o) for o in Outcome}
            await audit.log(
                uow,
                now,
                options.operator,
                "roster.imported",
                ("roster", options.source[:64]),
                after=after,
                platform=Platform.CLI,
            )
            report.written = True
        self._signal.kick()
        return report

    async def adopt(self, usernames: Sequence[str], options: ImportOptions) -> ImportReport:
        """`sync discourse --adopt`: forum accounts holding the ambassador badge, unknown here,
        made active ambassadors from today as an import makes them, known by their forum account
        only (a person may have no Slack id; importing a line with their forum_username and Slack
        id or email later gives them one). Their badge and group are left to the reconciliation
        that follows, which treats them as every active ambassador."""
        now = self._clock.now()
        start = datetime(now.year, now.month, now.day, tzinfo=UTC)
        end = self._settings.program.term_end(start)
        lines: list[tuple[RosterLine, str | None]] = [
            (RosterLine(i, None, None, name, name, start, end, AmbassadorStatus.ACTIVE), None)
            for i, name in enumerate(usernames, 1)
        ]
        return await self.write(lines, ImportReport(len(lines)), replace(options, grant=False))

    async def _forum_view(self, options: ImportOptions, lines: Sequence[RosterLine]) -> ForumView | None:
        """The forum's badge holders and group members, read first (paced API calls) when an
        active line may need them; None when the forum is left alone."""
        d = self._settings.discourse
        if not options.grant or self._forum is None or not d.enabled or options.dry_run:
            return None
        if not any(line.status == AmbassadorStatus.ACTIVE for line in lines):
            return None
        holders = (
            await self._forum.badge_holders(d.ambassador_badge_id)
            if d.ambassador_badge_id is not None
            else {}
        )
        members = await self._forum.group_members(d.ambassador_group) if d.ambassador_group else set()
        return ForumView(holders, {m.lower() for m in members})
