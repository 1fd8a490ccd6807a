"""What every command shares: the settings of the config file (which must exist), the secrets to
keep out of logs, the group class that hoists `--config` and turns an unexpected error into one
line plus a log file, and the options several commands take (`--output`, `--db`, `--port`)."""

from __future__ import annotations

import os
import tempfile
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from bot.config import ConfigError, Settings, load_settings
from bot.logs import RedactSecrets

DEFAULT_CONFIG = "config.toml"
# The levels both `logging` and uvicorn understand.
LOG_LEVELS = ("critical", "error", "warning", "info", "debug")
PORT = click.IntRange(0, 65535)

F = TypeVar("F", bound=Callable[..., Any])


def settings_of(ctx: click.Context) -> Settings:
    """The settings of the config file, which must exist: with built-in defaults a command would
    quietly use (and create) ./ambassador-bot.db instead of the database the user means."""
    ctx = ctx.find_root()
    path: str = ctx.obj["config"]
    if not ctx.obj["explicit"] and not Path(path).exists():
        raise click.ClickException(
            f"config error: {path}: config file not found (give --config PATH, or write one with "
            "`ambassador-bot init`)"
        )
    try:
        settings = load_settings(path)
    except ConfigError as err:
        raise click.ClickException(f"config error: {err}") from None
    ctx.obj["secrets"] = [*secrets_in(settings), _database_password(settings)]
    return settings


def secrets_in(s: Settings) -> list[str]:
    return [
        v
        for v in (
            s.slack.bot_token,
            s.slack.signing_secret,
            s.slack.app_token,
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


class Cli(click.Group):
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


def output_option(what: str) -> Callable[[F], F]:
    """`--output/-o FILE`: where to write `what` (the Markdown, the CSV…); default: print it."""
    return click.option(
        "--output",
        "-o",
        type=click.Path(dir_okay=False, writable=True),
        default=None,
        help=f"Write {what} here (default: print it).",
    )


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


database_option = click.option(
    "--db",
    metavar="URL|PATH",
    callback=_database_arg,
    default=None,
    help="Database URL, or the path of a SQLite file (created and migrated if missing). "
    "Default: a fresh SQLite file in a temp folder.",
)
