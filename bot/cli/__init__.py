"""The `ambassador-bot` command line: the group and its `--config`, commands by topic.

- `serve`: run, migrate, doctor, sandbox;
- `deliveries`: outbox failures|retry, sync discourse;
- `data`: export <kind>, backup, restore, forget;
- `init_manifest`: init (a commented config.toml) and manifest (the Slack app manifest);
- `setup`: setup discourse (the forum's badge, group and webhook);
- `roster`: import ambassadors (a CSV of the ambassadors a program already has);
- `base`: the settings, secrets, error handling and options every command shares;
- `database`: the checks a database command makes first, and running its work.
"""

from __future__ import annotations

from importlib import metadata

import click

from bot.cli import data, deliveries, init_manifest, serve
from bot.cli.base import DEFAULT_CONFIG, Cli
from bot.cli.roster import import_group
from bot.cli.setup import COMMANDS as SETUP_COMMANDS


def _version() -> str:
    try:
        return metadata.version("ambassador-bot")
    except metadata.PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown (not installed)"


@click.group(cls=Cli, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config_path",
    default=None,
    metavar="PATH",
    help=f"Settings file (TOML). Default: ./{DEFAULT_CONFIG}",
)
@click.version_option(_version(), "--version", prog_name="ambassador-bot", message="%(prog)s %(version)s")
@click.pass_context
def main(ctx: click.Context, config_path: str | None) -> None:
    """Run a community ambassador program in Slack and Discourse."""
    ctx.ensure_object(dict)
    ctx.obj["config"] = config_path or DEFAULT_CONFIG
    ctx.obj["explicit"] = config_path is not None


_GROUPS = (
    init_manifest.COMMANDS,
    serve.COMMANDS,
    deliveries.COMMANDS,
    data.COMMANDS,
    SETUP_COMMANDS,
    [import_group],
)
for _command in (c for group in _GROUPS for c in group):
    main.add_command(_command)
