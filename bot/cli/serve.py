"""Running the bot: `run` (the server and its outbox), `migrate`, `doctor`, and the local `sandbox`."""

from __future__ import annotations

import asyncio
import signal
import sys

import click

from bot.cli import database
from bot.cli.base import LOG_LEVELS, PORT, database_option, secrets_in, settings_of
from bot.config import ConfigError, require_for_run
from bot.logs import mask_url, setup_logging


@click.command()
@click.option("--host", default=None, help="Override [server] host.")
@click.option("--port", type=PORT, default=None, help="Override [server] port.")
@click.option(
    "--log-level", type=click.Choice(LOG_LEVELS, case_sensitive=False), default="info", show_default=True
)
@click.option("--log-json", is_flag=True, help="Log one JSON object per line (for log collectors).")
@click.pass_context
def run(ctx: click.Context, host: str | None, port: int | None, log_level: str, log_json: bool) -> None:
    """Serve the bot (Slack, Discourse webhooks, health) and deliver its outbox."""
    settings = settings_of(ctx)
    try:
        require_for_run(settings)
    except ConfigError as err:
        raise click.ClickException(f"config error: {err}") from None
    # A database that does not answer is one line now, not a startup traceback from the server.
    database.require_reachable(settings.database.url)
    if settings.slack.socket_mode:  # a refused app token is one line now, not a startup traceback
        from bot.platforms.slack.socket import app_token_problem

        problem = asyncio.run(app_token_problem(settings))
        if problem is not None:
            raise click.ClickException(problem)
    import uvicorn

    from bot.http_limits import uvicorn_options
    from bot.server import create_app

    setup_logging(log_level, secrets_in(settings), json_lines=log_json)
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


@click.command()
@click.pass_context
def migrate(ctx: click.Context) -> None:
    """Apply the database migrations (creates the database schema)."""
    settings = settings_of(ctx)

    async def go() -> str | None:
        from storage import migrate as m
        from storage.db import make_engine

        engine = make_engine(settings.database.url)
        try:
            await database.reachable_revision(engine, settings.database.url)
            await m.upgrade(engine)
            return await m.current_revision(engine)
        finally:
            await engine.dispose()

    from sqlalchemy.exc import DBAPIError

    try:
        rev = asyncio.run(go())
    except DBAPIError as err:  # e.g. no right to create tables: the database's own words
        raise click.ClickException(
            f"could not migrate {mask_url(settings.database.url)}: {mask_url(database.first_line(err))}"
        ) from None
    click.echo(f"Database {mask_url(settings.database.url)} is at revision {rev} (latest).")


@click.command()
@click.pass_context
def doctor(ctx: click.Context) -> None:
    """Check the config, the database, Slack and Discourse, and say how to fix what is wrong."""
    from bot.doctor import run_doctor

    settings = settings_of(ctx)
    ok = asyncio.run(run_doctor(settings, click.echo, config_path=ctx.obj["config"]))
    sys.exit(0 if ok else 1)


@click.command(
    epilog="With --config FILE the sandbox runs your program settings (onboarding steps, reminders, "
    "renewals, events, groups, request budgets); the platform connection ([server], [database], "
    "[slack], the forum's URL, keys, badge and group) stays the sandbox's own."
)
@click.option(
    "--script",
    type=click.Path(exists=True, dir_okay=False),
    help="Run a scenario file and exit: it stops at the first line that fails (exit status 1; "
    "2 when the file can't be read). An `expect <text>` line allows an expected refusal.",
)
@click.option(
    "--demo",
    is_flag=True,
    help="Play the built-in tour first: apply → approve → welcome, the Home tab, a meetup's "
    "reminders a week later, the renewal reminder two years on.",
)
@database_option
@click.option("--port", type=PORT, default=0, help="Port for the bot (default: any free port).")
@click.option("--verbose", is_flag=True, help="Show the bot's log lines too.")
@click.option(
    "--socket-mode", is_flag=True, help="Let the Slack stand-in reach the bot over Socket Mode, not HTTP."
)
@click.pass_context
def sandbox(
    ctx: click.Context,
    script: str | None,
    demo: bool,
    db: str | None,
    port: int,
    verbose: bool,
    socket_mode: bool,
) -> None:
    """Try the bot locally: real server, stand-in Slack and Discourse, no credentials needed."""
    from bot.sandbox.terminal.run import run_sandbox

    if db is not None and not db.startswith("sqlite"):  # a SQLite file is created when missing
        database.require_reachable(db)
    # Only a --config given on purpose: a ./config.toml lying around is a real deployment's.
    program = settings_of(ctx) if ctx.find_root().obj["explicit"] else None
    code = asyncio.run(
        run_sandbox(
            script=script,
            db_url=db,
            port=port,
            verbose=verbose,
            demo=demo,
            program=program,
            socket_mode=socket_mode,
        )
    )
    sys.exit(code)


COMMANDS = (run, migrate, doctor, sandbox)
