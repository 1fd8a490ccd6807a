"""Program data in and out: `export <directory|groups|person|ambassadors|applications|requests|audit>`,
`backup` and `restore`, and `forget` (bot/program/privacy/ says what each table keeps)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from bot.cli.base import output_option, settings_of
from bot.cli.database import run_work, write_output
from bot.config import Settings
from bot.logs import mask_url
from bot.program.text import plural

EXPORTED = {
    "ambassadors": "Ambassadors (any status) with their term and forum account.",
    "applications": "Every application with its decision.",
    "requests": "Every request (hardware, expense, swag) with status, amount and approvers.",
    "groups": "Every user group row.",
    "audit": "The whole audit log.",
}


@click.group()
def export() -> None:
    """Export program data."""


@export.command("directory")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["markdown", "html"]),
    default="markdown",
    show_default=True,
    help="markdown for a wiki or repository page; html for the /program/ambassadors page itself.",
)
@output_option("the page")
@click.pass_context
def export_directory(ctx: click.Context, fmt: str, output: str | None) -> None:
    """The public directory, as /program/ambassadors shows it: one entry per ambassador who chose
    to be listed, with only the fields they chose to show."""
    settings = settings_of(ctx)

    async def work(uow: Any) -> tuple[str, int]:
        from bot.program.directory.service import ProfileService
        from bot.program.permissions import ServiceDeps
        from bot.program.ports import SystemClock
        from bot.program.public.directory import directory
        from bot.program.roles import Roles

        if fmt == "markdown":
            text = await ProfileService(
                ServiceDeps(uow, settings, Roles([]), SystemClock())
            ).export_directory()
            return text, text.count("\n## ")
        from bot.web.render import directory_page

        async with uow() as unit:
            listing = await directory(unit, settings)
        return directory_page(settings, listing), len(listing.people)

    text, count = run_work(settings, work)
    if output is None:
        click.echo(text, nl=False)
        return
    Path(output).write_text(text, encoding="utf-8")
    click.echo(f"Wrote the directory ({plural(count, 'ambassador')}) to {output}.")


@export.command("groups")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "json"]),
    default="csv",
    show_default=True,
    help="csv for a spreadsheet; json with typed values (numbers, null, lists).",
)
@output_option("the file")
@click.pass_context
def export_groups(ctx: click.Context, fmt: str, output: str | None) -> None:
    """User groups as CSV or JSON: status, place, mentor, organisers and handover progress."""
    settings = settings_of(ctx)

    async def work(uow: Any) -> str:
        from bot.program.groups import GroupService
        from bot.program.permissions import ServiceDeps
        from bot.program.ports import SystemClock
        from bot.program.roles import Roles

        groups = GroupService(ServiceDeps(uow, settings, Roles([]), SystemClock()))
        return await (groups.export_json() if fmt == "json" else groups.export_csv())

    text = run_work(settings, work)
    count = len(json.loads(text)) if fmt == "json" else max(text.count("\n") - 1, 0)
    write_output(output, text.encode("utf-8"), f"{plural(count, 'user group')} ({fmt.upper()})")


def _export_command(kind: str) -> click.Command:
    @click.command(kind, help=f"{EXPORTED[kind]} CSV or JSON.")
    @click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
    @output_option("the file")
    @click.pass_context
    def command(ctx: click.Context, fmt: str, output: str | None) -> None:
        settings = settings_of(ctx)

        async def work(uow: Any) -> Any:
            from bot.program.permissions import ServiceDeps
            from bot.program.ports import SystemClock
            from bot.program.reports.exports import ExportService
            from bot.program.roles import Roles

            deps = ServiceDeps(uow, Settings(), Roles([]), SystemClock())
            return await ExportService(deps).render(kind, fmt)

        export = run_work(settings, work)
        write_output(output, export.content, f"{plural(export.rows, 'row')} of {kind} ({fmt.upper()})")

    return command


# `export <kind>`, keeping the export commands defined above (`export groups` is the richer one).
for _kind in EXPORTED:
    if _kind not in export.commands:
        export.add_command(_export_command(_kind))


@export.command("person")
@click.argument("person")
@output_option("the JSON")
@click.pass_context
def export_person(ctx: click.Context, person: str, output: str | None) -> None:
    """Everything held about one person (Slack user id, forum username or #number), as JSON."""
    settings = settings_of(ctx)

    async def work(uow: Any) -> dict[str, Any]:
        from bot.program.ports import SystemClock
        from bot.program.privacy.service import PrivacyService

        return await PrivacyService(uow, SystemClock()).export(person)

    data = run_work(settings, work)
    content = json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8") + b"\n"
    write_output(output, content, f"the data held about person #{data['person_id']}")


@click.command()
@output_option("the backup")
@click.pass_context
def backup(ctx: click.Context, output: str | None) -> None:
    """Everything in the database as one JSON document (restore it with `restore`)."""
    settings = settings_of(ctx)

    async def work(uow: Any) -> dict[str, Any]:
        from bot.program.backup import BackupService
        from bot.program.ports import SystemClock

        return await BackupService(uow, SystemClock()).dump()

    data = run_work(settings, work)
    rows = sum(len(t["rows"]) for t in data["tables"])
    content = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"
    tables = plural(len(data["tables"]), "table")
    write_output(output, content, f"a backup of {tables}, {plural(rows, 'row')}")


@click.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--force", is_flag=True, help="Replace everything in a database that already has data.")
@click.pass_context
def restore(ctx: click.Context, file: str, force: bool) -> None:
    """Load a backup into the database (migrated first; refused when it has data, unless --force)."""
    settings = settings_of(ctx)
    try:
        data = json.loads(Path(file).read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as err:
        raise click.ClickException(f"{file}: not a JSON backup ({err})") from None

    async def work(uow: Any) -> Any:
        from bot.program.backup import BackupService
        from bot.program.ports import SystemClock

        return await BackupService(uow, SystemClock()).restore(data, force=force)

    result = run_work(settings, work, migrate=True)
    click.echo(
        f"Restored {plural(result.total, 'row')} in {plural(len(result.rows), 'table')} into "
        f"{mask_url(settings.database.url)}."
    )


def _already_forgotten(report: Any) -> bool:
    if report.already_forgotten:
        click.echo(f"Person #{report.person_id} was already forgotten; nothing to do.")
    return bool(report.already_forgotten)


@click.command()
@click.argument("person")
@click.option("--yes", is_flag=True, help="Do it without asking (for scripts).")
@click.pass_context
def forget(ctx: click.Context, person: str, yes: bool) -> None:
    """Delete or anonymise everything personal about one person (Slack user id, forum username
    or #number). Shows what will change and asks first, unless --yes."""
    settings = settings_of(ctx)

    def go(dry_run: bool) -> Any:
        async def work(uow: Any) -> Any:
            from bot.program.ports import SystemClock
            from bot.program.privacy.service import PrivacyService

            return await PrivacyService(uow, SystemClock()).forget(person, dry_run=dry_run)

        return run_work(settings, work)

    if not yes:
        preview = go(True)
        if _already_forgotten(preview):
            return
        click.echo(f"Forgetting person #{preview.person_id} will:")
        for line in preview.lines() or ["  (nothing personal is held besides the person row)"]:
            click.echo(line)
        if not click.confirm("Go ahead? This cannot be undone", default=False):
            raise click.ClickException("Nothing was changed.")
    report = go(False)
    if _already_forgotten(report):
        return
    click.echo(
        f"Forgot person #{report.person_id}: {plural(sum(report.deleted.values()), 'row')} deleted, "
        f"{sum(report.anonymised.values())} anonymised, {plural(report.outbox_cancelled, 'waiting message')} "
        "cancelled."
    )


COMMANDS = (export, backup, restore, forget)
