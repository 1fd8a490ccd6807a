"""`ambassador-bot export <kind>`, `backup` and `restore` (added to the CLI by `bot.cli`), and the
checks every database command makes first: the database is there, answers and has the schema."""

from __future__ import annotations

import asyncio
import json
import re
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from sqlalchemy.exc import DBAPIError

from bot.config import Settings
from bot.logs import mask_url
from storage.db import sqlite_file

T = TypeVar("T")
SettingsOf = Callable[[click.Context], Settings]
EXPORTED = {
    "ambassadors": "Ambassadors (any status) with their term and forum account.",
    "applications": "Every application with its decision.",
    "requests": "Every request (hardware, expense, swag) with status, amount and approvers.",
    "groups": "Every user group row.",
    "audit": "The whole audit log.",
}


class DatabaseNotReady(click.ClickException):
    """The configured database cannot be used as it is; the message says what to do."""


def _first_line(err: BaseException) -> str:
    text = str(getattr(err, "orig", None) or err).strip().splitlines() or [type(err).__name__]
    # asyncpg's messages come as "<class 'asyncpg.exceptions.X'>: what happened".
    return re.sub(r"^<class '[^']+'>: ", "", text[0])[:200]


def require_file(settings: Settings) -> None:
    """A SQLite database file must exist before a command reads it: connecting would create an
    empty file (and then fail on the missing tables)."""
    path = sqlite_file(settings.database.url)
    if path is not None and not path.exists():
        raise DatabaseNotReady(
            f"the database file {path} does not exist: run `ambassador-bot migrate` to create it "
            "(or check [database] url in the config file)"
        )


async def reachable_revision(engine: Any, url: str) -> str | None:
    """The schema revision of a database that answers; one line when it does not."""
    from storage import migrate as m

    path = sqlite_file(url)
    if path is not None and not path.absolute().parent.is_dir():
        raise DatabaseNotReady(
            f"cannot use the database {mask_url(url)}: the folder {path.parent} does not exist "
            "(check [database] url)"
        )
    try:
        return await m.current_revision(engine)
    except (OSError, DBAPIError) as err:
        raise DatabaseNotReady(
            f"cannot use the database {mask_url(url)}: {mask_url(_first_line(err))} "
            "(check [database] url and that the server is running)"
        ) from None


def require_reachable(url: str) -> None:
    """One line, before anything starts, when the database at `url` does not answer."""

    async def go() -> None:
        from storage.db import make_engine

        engine = make_engine(url)
        try:
            await reachable_revision(engine, url)
        finally:
            await engine.dispose()

    asyncio.run(go())


async def require_schema(engine: Any, settings: Settings) -> None:
    """The schema must be the one this version of the bot expects."""
    from storage import migrate as m

    url = mask_url(settings.database.url)
    current = await reachable_revision(engine, settings.database.url)
    head = m.head_revision()
    if current is None:
        raise DatabaseNotReady(f"the database {url} has no schema yet: run `ambassador-bot migrate`")
    if current != head:
        raise DatabaseNotReady(
            f"the database {url} has schema {current}, this version needs {head}: "
            "run `ambassador-bot migrate`"
        )


def require_ready(settings: Settings) -> None:
    """`require_file` and `require_schema` for commands that open the database themselves."""

    async def go() -> None:
        from storage.db import make_engine

        engine = make_engine(settings.database.url)
        try:
            await require_schema(engine, settings)
        finally:
            await engine.dispose()

    require_file(settings)
    asyncio.run(go())


def _run(settings: Settings, work: Callable[[Any], Awaitable[T]], *, migrate: bool = False) -> T:
    """Run `work(uow_factory)` against the configured database. A database that is missing, out
    of reach or without the current schema is one line saying what to do (nothing is created,
    unless `migrate`); a refusal of the program is its message. Anything else is unexpected and
    left to the CLI's error handler (one line, details in a log file)."""

    async def go() -> T:
        from storage import migrate as m
        from storage.db import make_engine, make_sessionmaker
        from storage.uow import UnitOfWorkFactory

        engine = make_engine(settings.database.url)
        try:
            if migrate:
                await reachable_revision(engine, settings.database.url)
                await m.upgrade(engine)
            else:
                await require_schema(engine, settings)
            return await work(UnitOfWorkFactory(make_sessionmaker(engine)))
        finally:
            await engine.dispose()

    from bot.program.errors import ProgramError

    if not migrate:
        require_file(settings)
    try:
        return asyncio.run(go())
    except ProgramError as err:
        raise click.ClickException(err.message) from None


def _write(output: str | None, content: bytes, what: str) -> None:
    if output is None:
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
        return
    Path(output).write_bytes(content)
    click.echo(f"Wrote {what} to {output}.", err=True)


def _export_command(kind: str, settings_of: SettingsOf) -> click.Command:
    @click.command(kind, help=f"{EXPORTED[kind]} CSV or JSON.")
    @click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
    @click.option(
        "--output",
        "-o",
        type=click.Path(dir_okay=False, writable=True),
        default=None,
        help="Write the file here (default: print it).",
    )
    @click.pass_context
    def command(ctx: click.Context, fmt: str, output: str | None) -> None:
        settings = settings_of(ctx.find_root())

        async def work(uow: Any) -> Any:
            from bot.program.ports import SystemClock
            from bot.program.reports.exports import ExportService
            from bot.program.roles import Roles

            return await ExportService(uow, Roles([]), SystemClock()).render(kind, fmt)

        export = _run(settings, work)
        _write(output, export.content, f"{export.rows} {kind} ({fmt.upper()})")

    return command


def register(main: click.Group, export: click.Group, settings_of: SettingsOf) -> None:
    """Add `export <kind>` (keeping any export command another feature already defined),
    `backup` and `restore`."""
    for kind in EXPORTED:
        if kind not in export.commands:
            export.add_command(_export_command(kind, settings_of))

    @main.command()
    @click.option(
        "--output",
        "-o",
        type=click.Path(dir_okay=False, writable=True),
        default=None,
        help="Write the backup here (default: print it).",
    )
    @click.pass_context
    def backup(ctx: click.Context, output: str | None) -> None:
        """Everything in the database as one JSON document (restore it with `restore`)."""
        settings = settings_of(ctx.find_root())

        async def work(uow: Any) -> dict[str, Any]:
            from bot.program.backup import BackupService
            from bot.program.ports import SystemClock

            return await BackupService(uow, SystemClock()).dump()

        data = _run(settings, work)
        rows = sum(len(t["rows"]) for t in data["tables"])
        content = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"
        _write(output, content, f"a backup of {len(data['tables'])} tables, {rows} rows")

    @main.command()
    @click.argument("file", type=click.Path(exists=True, dir_okay=False))
    @click.option("--force", is_flag=True, help="Replace everything in a database that already has data.")
    @click.pass_context
    def restore(ctx: click.Context, file: str, force: bool) -> None:
        """Load a backup into the database (migrated first; refused when it has data, unless --force)."""
        settings = settings_of(ctx.find_root())
        try:
            data = json.loads(Path(file).read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as err:
            raise click.ClickException(f"{file}: not a JSON backup ({err})") from None

        async def work(uow: Any) -> Any:
            from bot.program.backup import BackupService
            from bot.program.ports import SystemClock

            return await BackupService(uow, SystemClock()).restore(data, force=force)

        result = _run(settings, work, migrate=True)
        click.echo(
            f"Restored {result.total} rows in {len(result.rows)} tables into "
            f"{mask_url(settings.database.url)}."
        )
