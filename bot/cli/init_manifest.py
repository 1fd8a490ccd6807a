"""Getting started: `init` writes a commented config.toml from a few answers, `manifest` prints
the Slack app manifest for Socket Mode or HTTP (bot.cli.templates makes both from the files
shipped inside the package, so an installed bot needs no source tree)."""

from __future__ import annotations

import os
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path

import click

from bot.cli.base import DEFAULT_CONFIG
from bot.cli.templates import EVENTS_PATH, Answers, TemplateError, config_file, manifest, public_url
from bot.config import ConfigError, settings_from_mapping

APPS_PAGE = "https://api.slack.com/apps"
_BOTH = "give --socket (Socket Mode) or --url URL (HTTP), not both"


def _exists(path: Path) -> click.ClickException:
    return click.ClickException(f"{path} already exists; nothing was changed (--force replaces it)")

socket_option = click.option(
    "--socket",
    "socket_mode",
    is_flag=True,
    help="Socket Mode: the bot connects out to Slack, no public address needed.",
)
url_option = click.option(
    "--url",
    metavar="URL",
    default=None,
    help=f"HTTP: the bot's public https:// address; Slack sends its requests to URL{EVENTS_PATH}.",
)


def _checked(value: str | None, what: str) -> str | None:
    """A URL option's value as a base address, or the one line that says what is wrong with it."""
    if value is None:
        return None
    try:
        return public_url(value, what).removesuffix(EVENTS_PATH)
    except TemplateError as err:
        raise click.ClickException(str(err)) from None


def _asked(what: str, required: bool) -> Callable[[str], str]:
    """A prompt's `value_proc`: click shows the one line and asks again when it raises."""

    def check(value: str) -> str:
        if not value.strip() and not required:
            return ""
        try:
            return public_url(value, what).removesuffix(EVENTS_PATH)
        except TemplateError as err:
            raise click.UsageError(str(err)) from None

    return check


def _answers(socket_mode: bool, url: str | None, forum_url: str | None) -> Answers:
    """The flags; with none, the answers to two questions on a terminal, else the defaults."""
    if socket_mode or url is not None or forum_url is not None:
        return Answers(url, forum_url)
    if not sys.stdin.isatty():
        click.echo("No flags and no terminal to ask on: Socket Mode, no forum (see `init --help`).")
        return Answers()
    if not click.confirm("Use Socket Mode (no public address needed)?", default=True):
        url = click.prompt(
            f"The bot's public https:// address (Slack will call <address>{EVENTS_PATH})",
            value_proc=_asked("address", required=True),
        )
    forum = click.prompt(
        "The forum's address, e.g. https://forum.example.org (Enter for none)",
        default="",
        show_default=False,
        value_proc=_asked("forum address", required=False),
    )
    return Answers(url, forum or None)


def _write_private(path: Path, text: str, force: bool) -> None:
    """Create `path` readable by its owner only (it will hold secrets); never replace it unless
    `force` (O_EXCL: not even when it appears between the check and the write)."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if force else os.O_EXCL)
    try:
        fd = os.open(path, flags, 0o600)
    except FileExistsError:
        raise _exists(path) from None
    except OSError as err:
        raise click.ClickException(f"could not write {path}: {err.strerror}") from None
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        os.fchmod(fd, 0o600)  # a file replaced with --force may have had wider rights
        out.write(text)


def next_steps(answers: Answers, path: Path) -> list[str]:
    cfg = "" if str(path) == DEFAULT_CONFIG else f" --config {path}"
    socket = answers.public_url is None
    made = "--socket" if socket else f"--url {answers.public_url}"
    token = (
        "Basic Information → App-Level Tokens → Generate (scope connections:write) → SLACK_APP_TOKEN"
        if socket
        else "Basic Information → Signing Secret → SLACK_SIGNING_SECRET"
    )
    started = "" if socket else "; then let Slack verify the request URL (Event Subscriptions)"
    return [
        "Next steps:",
        f"  1. ambassador-bot manifest {made} — at {APPS_PAGE}: Create New App → From a manifest",
        "  2. Install the app; its Bot User OAuth Token (xoxb-…) → SLACK_BOT_TOKEN",
        f"     and {token}",
        f"  3. Invite the bot to the moderators' channel; its id (C…) → slack.moderator_channel in {path}",
        f"  4. ambassador-bot setup discourse{cfg}   (with a forum: key, webhook, badge and group)",
        f"  5. ambassador-bot import ambassadors FILE.csv{cfg}   (the ambassadors you already have)",
        f"  6. ambassador-bot doctor{cfg}",
        f"  7. ambassador-bot run{cfg}{started}",
    ]


@click.command()
@socket_option
@url_option
@click.option("--forum-url", metavar="URL", default=None, help="The Discourse forum (default: none).")
@click.option(
    "--path",
    type=click.Path(dir_okay=False),
    default=None,
    help=f"Where to write it. Default: the --config path, else ./{DEFAULT_CONFIG}.",
)
@click.option("--force", is_flag=True, help="Replace the file if it exists.")
@click.pass_context
def init(
    ctx: click.Context,
    socket_mode: bool,
    url: str | None,
    forum_url: str | None,
    path: str | None,
    force: bool,
) -> None:
    """Write a commented config.toml for Socket Mode or HTTP; asks on a terminal when given no
    flags. Secrets stay empty: they go in environment variables."""
    if socket_mode and url is not None:
        raise click.ClickException(_BOTH)
    target = Path(path or ctx.find_root().obj["config"])
    if target.exists() and not force:
        raise _exists(target)
    answers = _answers(socket_mode, _checked(url, "--url"), _checked(forum_url, "--forum-url"))
    text = config_file(answers)
    try:  # what `run` will read must load: check before writing anything
        settings_from_mapping(tomllib.loads(text), env={})
    except (ConfigError, tomllib.TOMLDecodeError) as err:
        raise click.ClickException(f"the config to write does not load ({err}); nothing written") from None
    _write_private(target, text, force)
    forum = answers.forum_url or "none"
    click.echo(f"Wrote {target} ({answers.mode}; forum: {forum}), readable only by you.")
    for line in next_steps(answers, target):
        click.echo(line)


@click.command("manifest")
@socket_option
@url_option
def manifest_command(socket_mode: bool, url: str | None) -> None:
    """Print the Slack app manifest (YAML) for Socket Mode (--socket) or HTTP (--url URL), to
    paste into Create New App → From a manifest."""
    if socket_mode and url is not None:
        raise click.ClickException(_BOTH)
    if not socket_mode and url is None:
        raise click.ClickException("give --socket (Socket Mode) or --url URL (HTTP)")
    click.echo(manifest(_checked(url, "--url")), nl=False)


COMMANDS = (init, manifest_command)
