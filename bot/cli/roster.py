"""Bringing existing ambassadors in: `import ambassadors FILE.csv` (bot/program/roster/ holds the
rules; this module reads the file, wires the Slack and forum look-ups and prints the outcome)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from bot.cli.base import settings_of
from bot.cli.database import run_work
from bot.config import Settings


def _operator(ctx: click.Context, param: click.Parameter, value: str | None) -> str:
    from bot.program.roster.parse import SLACK_ID
    from bot.program.roster.service import CLI_OPERATOR

    if value is None:
        return CLI_OPERATOR
    if not SLACK_ID.match(value):
        raise click.BadParameter(f"{value[:40]!r} is not a Slack user id (like U012ABCDEF)")
    return value


operator_option = click.option(
    "--as",
    "operator",
    metavar="U0…",
    callback=_operator,
    default=None,
    help='Your Slack user id: the audit log records what this command changes as yours (default: "cli").',
)


def _read(file: str) -> bytes:
    from bot.program.roster.parse import MAX_BYTES

    path = Path(file)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise click.ClickException(f"{file}: the file is larger than {MAX_BYTES // 1024 // 1024} MB")
        return path.read_bytes()
    except OSError as err:
        raise click.ClickException(f"{file}: cannot be read ({err.strerror or type(err).__name__})") from None


def forum_lookups(settings: Settings) -> Any:
    """The forum's badge holders and group members (None without a forum)."""
    d = settings.discourse
    if not d.enabled:
        return None
    from bot.platforms.discourse.gateway import DiscourseGateway, ForumLookups

    gateway = DiscourseGateway(
        d.url, d.api_key, d.api_username, d.admin_requests_per_minute, d.timeout_seconds
    )
    return ForumLookups(gateway)


def echo_report(report: Any) -> None:
    for line in report.lines():
        click.echo(line)
    click.echo(report.summary())


@click.group("import")
def import_group() -> None:
    """Bring existing records in."""


@import_group.command("ambassadors")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@click.option("--skip-bad", is_flag=True, help="Import the good lines even when some are refused.")
@click.option("--no-grant", is_flag=True, help="Leave the forum alone: queue no badge or group change.")
@click.option(
    "--onboarding",
    type=click.Choice(["done", "open"]),
    default="done",
    show_default=True,
    help="Mark the imported ambassadors' onboarding done, or leave their checklist open.",
)
@operator_option
@click.pass_context
def import_ambassadors(
    ctx: click.Context,
    file: str,
    dry_run: bool,
    skip_bad: bool,
    no_grant: bool,
    onboarding: str,
    operator: str,
) -> None:
    """Import ambassadors from a CSV file with a header row: slack_id or email, name,
    forum_username, term_start (YYYY-MM-DD) and optionally term_end, status (active or alumni),
    expertise, location, timezone, bio. Nothing is written while any line is refused, unless
    --skip-bad. A second run of the same file changes nothing."""
    settings = settings_of(ctx)
    if not settings.slack.bot_token:
        raise click.ClickException("no Slack bot token configured ([slack] bot_token or SLACK_BOT_TOKEN)")
    data = _read(file)
    from bot.program.roster.service import ImportOptions

    options = ImportOptions(
        operator=operator,
        dry_run=dry_run,
        skip_bad=skip_bad,
        grant=not no_grant,
        onboarding_done=onboarding == "done",
        source=Path(file).name,
    )

    async def work(uow: Any) -> Any:
        from bot.platforms.slack.client import SlackPeopleLookup, make_lookup_client
        from bot.program.permissions import ServiceDeps
        from bot.program.ports import SystemClock
        from bot.program.roles import Roles
        from bot.program.roster.parse import FileRefused
        from bot.program.roster.service import RosterService

        deps = ServiceDeps(uow, settings, Roles([]), SystemClock())
        slack = SlackPeopleLookup(make_lookup_client(settings))
        service = RosterService(deps, slack, forum_lookups(settings) if not no_grant else None)
        try:
            return await service.import_csv(data, options, notice=lambda text: click.echo(text, err=True))
        except FileRefused as err:
            return err

    result = run_work(settings, work)
    if not hasattr(result, "summary"):  # the file as a whole was refused
        for problem in result.problems:
            click.echo(f"{file}: {problem}", err=True)
        sys.exit(1)
    echo_report(result)
    sys.exit(_outcome(result, dry_run, skip_bad))


def _outcome(report: Any, dry_run: bool, skip_bad: bool) -> int:
    from bot.program.roster.service import plural

    refused = len(report.refused)
    if report.written:
        queued = report.forum_queued
        tail = f"; {plural(queued, 'forum change')} queued for the running bot to deliver" if queued else ""
        skipped = f" ({plural(refused, 'refused line')} skipped)" if refused else ""
        changed = any(p.outcome != "unchanged" for p in report.planned)
        click.echo(f"{'Imported' if changed else 'Nothing to change'}{skipped}{tail}.")
        return 0
    if dry_run:
        click.echo("Dry run: nothing was written.")
    else:
        click.echo(
            f"Nothing was written: {plural(refused, 'line')} refused. Fix them, or give --skip-bad "
            "to import the other lines."
        )
    return 1 if refused else 0


COMMANDS = (import_group,)
