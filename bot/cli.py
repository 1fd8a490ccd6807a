"""The `ambassador-bot` command line."""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path
from typing import Any

import click

from bot import cli_data
from bot.config import ConfigError, Settings, load_settings, require_for_run
from bot.logs import mask_url, setup_logging

DEFAULT_CONFIG = "config.toml"


def _settings(ctx: click.Context, *, must_exist: bool = False) -> Settings:
    path: str = ctx.obj["config"]
    explicit: bool = ctx.obj["explicit"]
    try:
        if not Path(path).exists() and not explicit and not must_exist:
            return load_settings(None)
        return load_settings(path)
    except ConfigError as err:
        raise click.ClickException(f"config error: {err}") from None


def _secrets(s: Settings) -> list[str]:
    return [s.slack.bot_token, s.slack.signing_secret, s.discourse.api_key, s.discourse.webhook_secret]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
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
@click.option("--port", type=int, default=None, help="Override [server] port.")
@click.option("--log-level", default="info", show_default=True)
@click.option("--log-json", is_flag=True, help="Log one JSON object per line (for log collectors).")
@click.pass_context
def run(ctx: click.Context, host: str | None, port: int | None, log_level: str, log_json: bool) -> None:
    """Serve the bot (Slack, Discourse webhooks, health) and deliver its outbox."""
    settings = _settings(ctx, must_exist=True)
    try:
        require_for_run(settings)
    except ConfigError as err:
        raise click.ClickException(f"config error: {err}") from None
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
        log_level=log_level,
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
            await m.upgrade(engine)
            return await m.current_revision(engine)
        finally:
            await engine.dispose()

    try:
        rev = asyncio.run(go())
    except Exception as err:
        raise click.ClickException(
            f"could not migrate {mask_url(settings.database.url)}: {type(err).__name__}: {err}"
        ) from None
    click.echo(f"Database {mask_url(settings.database.url)} is at revision {rev} (latest).")


@main.command()
@click.pass_context
def doctor(ctx: click.Context) -> None:
    """Check the config, the database, Slack and Discourse, and say how to fix what is wrong."""
    from bot.doctor import run_doctor

    settings = _settings(ctx)
    ok = asyncio.run(run_doctor(settings, click.echo))
    sys.exit(0 if ok else 1)


@main.command()
@click.option("--script", type=click.Path(exists=True, dir_okay=False), help="Run a scenario file and exit.")
@click.option("--demo", is_flag=True, help="Play the built-in demo (apply → approve → welcome) first.")
@click.option("--db", default=None, help="Database URL (default: a fresh SQLite file in a temp folder).")
@click.option("--port", type=int, default=0, help="Port for the bot (default: any free port).")
@click.option("--verbose", is_flag=True, help="Show the bot's log lines too.")
@click.pass_context
def sandbox(
    ctx: click.Context, script: str | None, demo: bool, db: str | None, port: int, verbose: bool
) -> None:
    """Try the bot locally: real server, stand-in Slack and Discourse, no credentials needed."""
    from bot.sandbox.terminal import run_sandbox

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

    async def go() -> list[Any]:
        from storage.db import make_engine, make_sessionmaker
        from storage.uow import UnitOfWork

        engine = make_engine(settings.database.url)
        try:
            async with UnitOfWork(make_sessionmaker(engine)) as uow:
                return list(await uow.outbox.failures(50))
        finally:
            await engine.dispose()

    rows = asyncio.run(go())
    if not rows:
        click.echo("No failed or retrying deliveries.")
    for r in rows:
        click.echo(f"#{r.id} {r.kind} {r.key} [{r.status}, {r.attempts} attempts]: {r.last_error}")


@outbox.command("retry")
@click.pass_context
def outbox_retry(ctx: click.Context) -> None:
    """Queue every failed delivery again (after you fixed the cause)."""
    settings = _settings(ctx.find_root())

    async def go() -> int:
        from datetime import UTC, datetime

        from storage.db import make_engine, make_sessionmaker
        from storage.uow import UnitOfWork

        engine = make_engine(settings.database.url)
        try:
            async with UnitOfWork(make_sessionmaker(engine)) as uow:
                return await uow.outbox.retry_failed(datetime.now(UTC))
        finally:
            await engine.dispose()

    click.echo(f"{asyncio.run(go())} failed deliveries queued again.")


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

    async def go() -> str:
        from bot.program.ports import SystemClock
        from bot.program.profiles import ProfileService
        from bot.program.roles import Roles
        from storage.db import make_engine, make_sessionmaker
        from storage.uow import UnitOfWorkFactory

        engine = make_engine(settings.database.url)
        try:
            uow = UnitOfWorkFactory(make_sessionmaker(engine))
            return await ProfileService(uow, settings, Roles([]), SystemClock()).export_directory()
        finally:
            await engine.dispose()

    try:
        markdown = asyncio.run(go())
    except Exception as err:
        raise click.ClickException(
            f"could not read {mask_url(settings.database.url)}: {type(err).__name__}: {err}"
        ) from None
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

    async def go() -> str:
        from bot.program.groups import GroupService
        from bot.program.ports import SystemClock
        from bot.program.roles import Roles
        from storage.db import make_engine, make_sessionmaker
        from storage.uow import UnitOfWorkFactory

        engine = make_engine(settings.database.url)
        try:
            uow = UnitOfWorkFactory(make_sessionmaker(engine))
            return await GroupService(uow, settings, Roles([]), SystemClock()).export_csv()
        finally:
            await engine.dispose()

    try:
        text = asyncio.run(go())
    except Exception as err:
        raise click.ClickException(
            f"could not read {mask_url(settings.database.url)}: {type(err).__name__}: {err}"
        ) from None
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
