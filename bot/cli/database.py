"""The checks every database command makes first (the database is there, answers and has the
schema), `run_work` that runs a command's work on one unit-of-work factory, and `write_output`."""

from __future__ import annotations

import asyncio
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


class DatabaseNotReady(click.ClickException):
    """The configured database cannot be used as it is; the message says what to do."""


def first_line(err: BaseException) -> str:
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
            f"cannot use the database {mask_url(url)}: {mask_url(first_line(err))} "
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


def run_work(settings: Settings, work: Callable[[Any], Awaitable[T]], *, migrate: bool = False) -> T:
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


def write_output(output: str | None, content: bytes, what: str) -> None:
    if output is None:
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
        return
    Path(output).write_bytes(content)
    click.echo(f"Wrote {what} to {output}.", err=True)
