"""The `ambassador-bot` command line."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import tempfile
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from bot import cli_data
from bot.config import ConfigError, Settings, load_settings, require_for_run
from bot.logs import RedactSecrets, mask_url, setup_logging

DEFAULT_CONFIG = "config.toml"
# The levels both `logging` and uvicorn understand.
LOG_LEVELS = ("critical", "error", "warning", "info", "debug")
PORT = click.IntRange(0, 65535)


def _settings(ctx: click.Context) -> Settings:
    """The settings of the config file, which must exist: with built-in defaults a command would
    quietly use (and create) ./ambassador-bot.db instead of the database the user means."""
    path: str = ctx.obj["config"]
    if not ctx.obj["explicit"] and not Path(path).exists():
        raise click.ClickException(
            f"config error: {path}: config file not found (give --config PATH, or copy "
            f"config.example.toml to ./{DEFAULT_CONFIG})"
        )
    try:
        settings = load_settings(path)
    except ConfigError as err:
        raise click.ClickException(f"config error: {err}") from None
    ctx.obj["secrets"] = [*_secrets(settings), _database_password(settings)]
    return settings


def _secrets(s: Settings) -> list[str]:
    return [
        v
        for v in (
            s.slack.bot_token,
            s.slack.signing_secret,
            s.discourse.api_key,
            s.discourse.webhook_secret,
            s.server.metrics_token,
        )
        if v
    ]


def _database_password(s: Settings) -> str:
    from sqlalchemy.engine import make_url

    return make_url(s.database.url).password or ""


def _error_log(err: Exception, ctx: click.Context) -> str:
    """Write the traceback to a new log file only the user can read; the one line to show."""
    what = f"unexpected error ({type(err).__name__})"
    redact = RedactSecrets((ctx.obj or {}).get("secrets", []))
    details = redact._clean("".join(traceback.format_exception(err)))
    try:
        fd, path = tempfile.mkstemp(prefix="ambassador-bot-error-", suffix=".log")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(f"{datetime.now(UTC).isoformat()} ambassador-bot {ctx.invoked_subcommand or ''}\n")
            out.write(details)
    except OSError as log_err:
        return f"{what}; could not write the details to a log file ({log_err})"
    return f"{what}; the details are in {path}"


def _config_first(args: list[str]) -> list[str]:
    """`args` with every `--config PATH` / `--config=PATH` moved to the front (up to a `--`)."""
    front: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            rest.extend(args[i:])
            break
        if arg == "--config" and i + 1 < len(args):
            front.extend(args[i : i + 2])
            i += 2
            continue
        if arg.startswith("--config="):
            front.append(arg)
        else:
            rest.append(arg)
        i += 1
    return front + rest


class _Cli(click.Group):
    """A user error is a one-line `click.ClickException` where it happens; anything else that
    escapes a command is unexpected: one line on the terminal, the traceback in a log file."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # `--config PATH` may also follow the subcommand (`ambassador-bot migrate --config
        # prod.toml`): hoist it to the group, where it is defined, before click parses.
        return super().parse_args(ctx, _config_first(args))

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort, EOFError):
            raise
        except Exception as err:
            raise click.ClickException(_error_log(err, ctx)) from None


def _database_arg(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """`--db`: a database URL, or a path to a SQLite file (made into a sqlite+aiosqlite:/// URL)."""
    if value is None:
        return None
    if "://" in value:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise click.BadParameter(
                f"{value.split('://')[0]}://… is not a database URL this bot supports "
                "(sqlite+aiosqlite:// or postgresql+asyncpg://), nor a file path"
            )
        return value
    path = Path(value).expanduser()
    if path.is_dir():
        raise click.BadParameter(f"{value} is a folder; give a file name for the SQLite database")
    if not path.absolute().parent.is_dir():
        raise click.BadParameter(f"the folder {path.parent} does not exist")
    return f"sqlite+aiosqlite:///{path.absolute()}"


@click.group(cls=_Cli, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config_path",
    default=None,
    metavar="PATH",
    help=f"Settings file (TOML). Default: ./{DEFAULT_CONFIG}",
)
@click.pass_context
def main(ctx: click.Context, config_path: str | None) -> None:
    """Run a community ambassador program in Slack and Discourse."""
    ctx.ensure_object(dict)
    ctx.obj["config"] = config_path or DEFAULT_CONFIG
    ctx.obj["explicit"] = config_path is not None


@main.command()
@click.option("--host", default=None, help="Override [server] host.")
@click.option("--port", type=PORT, default=None, help="Override [server] port.")
@click.option(
    "--log-level", type=click.Choice(LOG_LEVELS, case_sensitive=False), default="info", show_default=True
)
@click.option("--log-json", is_flag=True, help="Log one JSON object per line (for log collectors).")
@click.pass_context
def run(ctx: click.Context, host: str | None, port: int | None, log_level: str, log_json: bool) -> None:
    """Serve the bot (Slack, Discourse webhooks, health) and deliver its outbox."""
    settings = _settings(ctx)
    try:
        require_for_run(settings)
    except ConfigError as err:
        raise click.ClickException(f"config error: {err}") from None
    # A database that does not answer is one line now, not a startup traceback from the server.
    cli_data.require_reachable(settings.database.url)
    import uvicorn

    from bot.http_limits import uvicorn_options
    from bot.server import create_app

    setup_logging(log_level, _secrets(settings), json_lines=log_json)
    app = create_app(settings)
    # uvicorn drains on SIGTERM/SIGINT, then raises the signal again so the exit status tells how
    # it stopped. A requested stop that drained cleanly is a success for process managers.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    signal.signal(signal.SIGINT, lambda *_: sys.exit(130))
    uvicorn.run(
        app,
        host=host or settings.server.host,
        port=port if port is not None else settings.server.port,
        log_config=None,
        log_level=log_level.lower(),
        timeout_graceful_shutdown=10,
        **uvicorn_options(),  # read deadlines, body-piece cap, concurrency limit (bot/http_limits.py)
    )


@main.command()
@click.pass_context
def migrate(ctx: click.Context) -> None:
    """Apply the database migrations (creates the database schema)."""
    settings = _settings(ctx)

    async def go() -> str | None:
        from storage import migrate as m
        from storage.db import make_engine

        engine = make_engine(settings.database.url)
        try:
            await cli_data.reachable_revision(engine, settings.database.url)
            await m.upgrade(engine)
            return await m.current_revision(engine)
        finally:
            await engine.dispose()

    from sqlalchemy.exc import DBAPIError

    try:
        rev = asyncio.run(go())
    except DBAPIError as err:  # e.g. no right to create tables: the database's own words
        raise click.ClickException(
            f"could not migrate {mask_url(settings.database.url)}: {mask_url(cli_data._first_line(err))}"
        ) from None
    click.echo(f"Database {mask_url(settings.database.url)} is at revision {rev} (latest).")


@main.command()
@click.pass_context
def doctor(ctx: click.Context) -> None:
    """Check the config, the database, Slack and Discourse, and say how to fix what is wrong."""
    from bot.doctor import run_doctor

    settings = _settings(ctx)
    ok = asyncio.run(run_doctor(settings, click.echo, config_path=ctx.obj["config"]))
    sys.exit(0 if ok else 1)


@main.command()
@click.option("--script", type=click.Path(exists=True, dir_okay=False), help="Run a scenario file and exit.")
@click.option("--demo", is_flag=True, help="Play the built-in demo (apply → approve → welcome) first.")
@click.option(
    "--db",
    metavar="URL|PATH",
    callback=_database_arg,
    default=None,
    help="Database URL, or the path of a SQLite file (created and migrated if missing). "
    "Default: a fresh SQLite file in a temp folder.",
)
@click.option("--port", type=PORT, default=0, help="Port for the bot (default: any free port).")
@click.option("--verbose", is_flag=True, help="Show the bot's log lines too.")
@click.pass_context
def sandbox(
    ctx: click.Context, script: str | None, demo: bool, db: str | None, port: int, verbose: bool
) -> None:
    """Try the bot locally: real server, stand-in Slack and Discourse, no credentials needed."""
    from bot.sandbox.terminal.run import run_sandbox

    if db is not None and not db.startswith("sqlite"):  # a SQLite file is created when missing
        cli_data.require_reachable(db)
    code = asyncio.run(run_sandbox(script=script, db_url=db, port=port, verbose=verbose, demo=demo))
    sys.exit(code)


@main.group()
def outbox() -> None:
    """Inspect and retry outbound deliveries."""


@outbox.command("failures")
@click.pass_context
def outbox_failures(ctx: click.Context) -> None:
    """List deliveries that failed or are being retried."""
    settings = _settings(ctx.find_root())

    async def work(uow: Any) -> list[Any]:
        async with uow() as u:
            return list(await u.outbox.failures(50))

    rows = cli_data._run(settings, work)
    if not rows:
        click.echo("No failed or retrying deliveries.")
    for r in rows:
        click.echo(f"#{r.id} {r.kind} {r.key} [{r.status}, {r.attempts} attempts]: {r.last_error}")


@outbox.command("retry")
@click.pass_context
def outbox_retry(ctx: click.Context) -> None:
    """Queue every failed delivery again (after you fixed the cause)."""
    settings = _settings(ctx.find_root())

    async def work(uow: Any) -> int:
        async with uow() as u:
            count: int = await u.outbox.retry_failed(datetime.now(UTC))
            return count

    click.echo(f"{cli_data._run(settings, work)} failed deliveries queued again.")


@main.group()
def sync() -> None:
    """Bring the bot's records and the platforms in line."""


@sync.command("discourse")
@click.option("--no-deliver", is_flag=True, help="Only queue the fixes; the running bot delivers them.")
@click.option(
    "--timeout", default=3600.0, show_default=True, help="Seconds to wait for the fixes to be delivered."
)
@click.pass_context
def sync_discourse(ctx: click.Context, no_deliver: bool, timeout: float) -> None:
    """Compare the forum's badge holders and group members with the records; fix and report."""
    settings = _settings(ctx.find_root())
    if not settings.discourse.enabled:
        raise click.ClickException("no forum configured: set [discourse] url, api_key and api_username")
    cli_data.require_ready(settings)

    async def go() -> int:
        from bot.runtime import build_runtime

        rt = await build_runtime(settings)
        try:
            report = await rt.services.sync.reconcile(actor="cli")
            for line in report.lines():
                click.echo(line)
            if no_deliver or report.changes == 0:
                return 0
            click.echo(f"Delivering {report.changes} fix(es), paced under the forum's limit…")
            waiting = await rt.worker.drain_until_idle(timeout)
            if waiting:
                click.echo(f"{waiting} delivery(ies) still waiting; the running bot will finish them.")
                return 1
            click.echo("All fixes delivered.")
            return 0
        finally:
            await rt.close()

    sys.exit(asyncio.run(go()))


@main.group()
def export() -> None:
    """Export program data."""


@export.command("directory")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="Write the Markdown here (default: print it).",
)
@click.pass_context
def export_directory(ctx: click.Context, output: str | None) -> None:
    """The "get help and support" page: one Markdown section per active ambassador."""
    settings = _settings(ctx.find_root())

    async def work(uow: Any) -> str:
        from bot.program.ports import SystemClock
        from bot.program.profiles import ProfileService
        from bot.program.roles import Roles

        return await ProfileService(uow, settings, Roles([]), SystemClock()).export_directory()

    markdown = cli_data._run(settings, work)
    if output is None:
        click.echo(markdown, nl=False)
        return
    Path(output).write_text(markdown, encoding="utf-8")
    sections = markdown.count("\n## ")
    click.echo(f"Wrote the directory ({sections} ambassadors) to {output}.")


@export.command("groups")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="Write the CSV here (default: print it).",
)
@click.pass_context
def export_groups(ctx: click.Context, output: str | None) -> None:
    """User groups as CSV: status, place, mentor, organisers and handover progress."""
    settings = _settings(ctx.find_root())

    async def work(uow: Any) -> str:
        from bot.program.groups import GroupService
        from bot.program.ports import SystemClock
        from bot.program.roles import Roles

        return await GroupService(uow, settings, Roles([]), SystemClock()).export_csv()

    text = cli_data._run(settings, work)
    if output is None:
        click.echo(text, nl=False)
        return
    Path(output).write_text(text, encoding="utf-8")
    click.echo(f"Wrote {max(text.count(chr(10)) - 1, 0)} user groups to {output}.")


# export <ambassadors|applications|requests|groups|audit>, backup and restore (bot/cli_data.py).
cli_data.register(main, export, _settings)


# Personal data: `export person` and `forget` (bot/program/privacy.py says what each table keeps).
@export.command("person")
@click.argument("person")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="Write the JSON here (default: print it).",
)
@click.pass_context
def export_person(ctx: click.Context, person: str, output: str | None) -> None:
    """Everything held about one person (Slack user id, forum username or #number), as JSON."""
    import json

    settings = _settings(ctx.find_root())

    async def work(uow: Any) -> dict[str, Any]:
        from bot.program.ports import SystemClock
        from bot.program.privacy import PrivacyService

        return await PrivacyService(uow, SystemClock()).export(person)

    data = cli_data._run(settings, work)
    content = json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8") + b"\n"
    cli_data._write(output, content, f"the data held about person #{data['person_id']}")


@main.command()
@click.argument("person")
@click.option("--yes", is_flag=True, help="Do it without asking (for scripts).")
@click.pass_context
def forget(ctx: click.Context, person: str, yes: bool) -> None:
    """Delete or anonymise everything personal about one person (Slack user id, forum username
    or #number). Shows what will change and asks first, unless --yes."""
    settings = _settings(ctx.find_root())

    def go(dry_run: bool) -> Any:
        async def work(uow: Any) -> Any:
            from bot.program.ports import SystemClock
            from bot.program.privacy import PrivacyService

            return await PrivacyService(uow, SystemClock()).forget(person, dry_run=dry_run)

        return cli_data._run(settings, work)

    if not yes:
        preview = go(True)
        if preview.already_forgotten:
            click.echo(f"Person #{preview.person_id} was already forgotten; nothing to do.")
            return
        click.echo(f"Forgetting person #{preview.person_id} will:")
        for line in preview.lines() or ["  (nothing personal is held besides the person row)"]:
            click.echo(line)
        if not click.confirm("Go ahead? This cannot be undone", default=False):
            raise click.ClickException("Nothing was changed.")
    report = go(False)
    if report.already_forgotten:
        click.echo(f"Person #{report.person_id} was already forgotten; nothing to do.")
        return
    click.echo(
        f"Forgot person #{report.person_id}: {sum(report.deleted.values())} rows deleted, "
        f"{sum(report.anonymised.values())} anonymised, {report.outbox_cancelled} waiting messages cancelled."
    )


if __name__ == "__main__":  # pragma: no cover
    main()
