"""The `ambassador-bot` command line: the group and its `--config`, commands by topic.

- `serve`: run, migrate, doctor, sandbox;
- `deliveries`: outbox failures|retry, sync discourse;
- `data`: export <kind>, backup, restore, forget;
- `base`: the settings, secrets, error handling and options every command shares;
- `database`: the checks a database command makes first, and running its work.
"""

from __future__ import annotations

import click

from bot.cli import data, deliveries, serve
from bot.cli.base import DEFAULT_CONFIG, Cli
from bot.cli.roster import import_group


@click.group(cls=Cli, context_settings={"help_option_names": ["-h", "--help"]})
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


for _command in (*serve.COMMANDS, *deliveries.COMMANDS, *data.COMMANDS):
    main.add_command(_command)
main.add_command(import_group)
