"""`ambassador-bot setup discourse`: find or create the ambassador badge, the private group and
the webhook on the forum, through its admin API, and write or print the config values.

Idempotent: what exists as it should is *found*; a second run creates and changes nothing.
`--dry-run` only says what it would create or change. The rules of what is needed are in
bot.program.badges.setup; the admin API calls in bot.platforms.discourse.admin.
"""

from __future__ import annotations

import asyncio
import re
import secrets
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import click

from bot.cli.base import settings_of
from bot.cli.setup_config import set_keys, toml_value
from bot.config import Settings
from bot.platforms.discourse.admin import AdminRefused, ForumAdmin
from bot.platforms.discourse.gateway import DiscourseGateway
from bot.program.badges import setup as rules
from bot.program.failures import DeliveryError

Echo = Callable[[str], None]


class SetupError(Exception):
    """One line for the user; nothing (more) was changed."""


@dataclass(frozen=True)
class Options:
    badge_name: str
    group: str
    public_url: str
    dry_run: bool


def public_url_of(settings: Settings, given: str | None) -> str:
    """The bot's public address for the webhook: `--public-url`, else server.public_url when it
    was set (its default, http://host:port, is where the bot listens, not where a forum can
    reach it). Refused unless an http(s) URL with a host."""
    server = settings.server
    url = given if given is not None else server.public_url
    if given is None and url == f"http://{server.host}:{server.port}":
        raise SetupError(
            "no public URL for the webhook: set [server] public_url or give --public-url "
            "https://bot.example.org (the address the forum can reach the bot at)"
        )
    try:
        parts = urllib.parse.urlsplit(url.strip())
        usable = parts.scheme in {"http", "https"} and bool(parts.hostname)
    except ValueError:  # e.g. an unclosed IPv6 bracket
        usable = False
    if not usable:
        raise SetupError(f"{url[:80]!r} is not a public URL: give one such as https://bot.example.org")
    return url.strip().rstrip("/")


def group_name_of(settings: Settings, given: str | None) -> str:
    """`--group`, else discourse.ambassador_group, else "ambassadors"; Discourse allows letters,
    digits, ``_``, ``.`` and ``-`` in a group's name (UsernameValidator, as groups use it)."""
    name = (given if given is not None else settings.discourse.ambassador_group or "ambassadors").strip()
    if not re.fullmatch(r"\w[\w.-]{0,59}", name):
        raise SetupError(
            f"{name[:60]!r} cannot be a forum group name: use letters, digits, '_', '.' and '-' "
            "(at most 60 characters)"
        )
    return name


def _badge_name(given: str) -> str:
    name = given.strip()
    if not name:
        raise SetupError("--badge-name cannot be empty: give the badge's name, e.g. Ambassador")
    return name


def _refusal(err: AdminRefused, settings: Settings) -> SetupError:
    d = settings.discourse
    if err.status == 403:
        return SetupError(
            f"{d.url} refused the API key for {d.api_username!r} (403): check discourse.api_key "
            "(or DISCOURSE_API_KEY) and discourse.api_username"
        )
    return SetupError(f"{d.url} refused the request ({err.status}): {err.message}")


async def _admin_check(admin: ForumAdmin, settings: Settings) -> None:
    d = settings.discourse
    me = await admin.me(d.api_username)
    if not me.get("admin"):
        raise SetupError(
            f"{d.api_username!r} is not an admin on {d.url}: setup needs an admin's API key "
            "(Admin → API → New key, for an admin user or All users with api_username an admin)"
        )


async def _read_plan(admin: ForumAdmin, settings: Settings, opts: Options) -> rules.Plan:
    badges = await admin.badges()
    group = await admin.group(opts.group)
    hooks, event_types = await admin.web_hooks()
    wanted = rules.Wanted(
        badge_name=opts.badge_name,
        group_name=opts.group,
        payload_url=rules.payload_url_for(opts.public_url),
        secret=settings.discourse.webhook_secret,
        new_secret=secrets.token_urlsafe(32),
        badge_id=settings.discourse.ambassador_badge_id,
    )
    return rules.plan(wanted, badges, group, hooks, event_types)


def _show(item: rules.Item, dry_run: bool, echo: Echo) -> None:
    """A found item; with `dry_run` also what would be created or updated, and why."""
    if item.step is rules.Step.FOUND:
        echo(f"  found         {item.label}")
    elif dry_run:
        echo(f"  would {item.step.value}  {item.label}")
        for change in item.changes:
            echo(f"                - {change}")


async def _carry_out(
    admin: ForumAdmin, p: rules.Plan, settings: Settings, opts: Options, echo: Echo
) -> dict[str, int | str]:
    """Create or update what the plan says; returns the config values (badge id, group)."""
    if p.badge.existing_id is None:
        badge = await admin.create_badge(opts.badge_name, f"Member of {settings.program.name}")
        badge_id = badge.id
        echo(f"  created       badge {badge.name!r} (id {badge.id})")
    else:
        badge_id = p.badge.existing_id
        if p.badge.step is rules.Step.UPDATE:
            await admin.enable_badge(badge_id)
            echo(f"  enabled       {p.badge.label}")
    if p.group.step is rules.Step.CREATE:
        group = await admin.create_group(opts.group)
        echo(f"  created       group {group.name!r} (id {group.id}), visible to its members only")
    if p.webhook.step is rules.Step.CREATE:
        hook = await admin.create_web_hook(p.webhook_spec)
        echo(f"  created       webhook {hook.id} to {hook.payload_url}")
    elif p.webhook.step is rules.Step.UPDATE and p.webhook.existing_id is not None:
        await admin.update_web_hook(p.webhook.existing_id, p.webhook_spec)
        echo(f"  updated       {p.webhook.label}: " + "; ".join(p.webhook.changes))
    return {"ambassador_badge_id": badge_id, "ambassador_group": opts.group}


async def run_setup(settings: Settings, opts: Options, echo: Echo) -> dict[str, int | str]:
    """Find, create or update; returns the [discourse] values the config needs now (only the
    ones that differ from the settings). `SetupError` is one line and means nothing changed
    after the point it names."""
    d = settings.discourse
    g = DiscourseGateway(d.url, d.api_key, d.api_username, d.admin_requests_per_minute, d.timeout_seconds)
    admin = ForumAdmin(g)
    try:
        await _admin_check(admin, settings)
        p = await _read_plan(admin, settings, opts)
        if p.problems:
            raise SetupError(f"{p.problems[0]}; nothing was changed")
        echo(f"Forum {d.url} (as {d.api_username}):")
        for item in p.items:
            _show(item, opts.dry_run, echo)
        if opts.dry_run:
            if p.secret != d.webhook_secret:
                echo("A webhook secret would be set in discourse.webhook_secret (--write puts it there).")
            return {}
        values = await _carry_out(admin, p, settings, opts, echo)
    except AdminRefused as err:
        raise _refusal(err, settings) from None
    except DeliveryError as err:
        raise SetupError(f"cannot use the forum at {d.url}: {err}") from None
    if p.secret != d.webhook_secret:
        values["webhook_secret"] = p.secret
    current = {"ambassador_badge_id": d.ambassador_badge_id, "ambassador_group": d.ambassador_group}
    return {k: v for k, v in values.items() if k == "webhook_secret" or current.get(k) != v}


def _preflight(settings: Settings) -> None:
    d = settings.discourse
    if not d.enabled:
        raise SetupError("no forum configured: set [discourse] url, api_key and api_username")
    if not d.api_key:
        raise SetupError("discourse.api_key is empty: set it (or DISCOURSE_API_KEY) to an admin API key")


def _write_or_print(values: dict[str, int | str], config: str, write: bool, echo: Echo) -> None:
    if not values:
        echo(f"{config} already has these values.")
        return
    path = Path(config)
    if write:
        try:
            edited = set_keys(path.read_text(encoding="utf-8"), "discourse", values)
            if edited is not None:
                path.write_text(edited, encoding="utf-8")
                echo(f"Wrote {', '.join(f'discourse.{k}' for k in values)} to {config}.")
                return
            echo(f"{config} could not be edited safely; add these to its [discourse] table yourself:")
        except (OSError, UnicodeDecodeError) as err:
            reason = err.strerror if isinstance(err, OSError) and err.strerror else type(err).__name__
            echo(f"{config} could not be written ({reason}); add these to its [discourse] table yourself:")
    else:
        echo(f"Add these to the [discourse] table of {config} (or run again with --write):")
    for key, value in values.items():
        echo(f"  {key} = {toml_value(value)}")


@click.group()
def setup() -> None:
    """Prepare a platform for the bot."""


@setup.command("discourse")
@click.option("--dry-run", is_flag=True, help="Only say what would be created or changed.")
@click.option("--write", is_flag=True, help="Write the values into the config file (keeps its comments).")
@click.option("--badge-name", default="Ambassador", show_default=True, help="Name of the ambassador badge.")
@click.option(
    "--group",
    "group",
    default=None,
    help="Name of the private ambassadors group. Default: discourse.ambassador_group, else ambassadors.",
)
@click.option(
    "--public-url",
    default=None,
    metavar="URL",
    help="The bot's public address; the webhook posts to <URL>/discourse/webhooks. "
    "Default: server.public_url.",
)
@click.pass_context
def setup_discourse(
    ctx: click.Context, dry_run: bool, write: bool, badge_name: str, group: str | None, public_url: str | None
) -> None:
    """Find or create the badge, the group and the webhook on the forum (safe to run again)."""
    settings = settings_of(ctx)
    config: str = ctx.find_root().obj["config"]
    try:
        _preflight(settings)
        opts = Options(
            badge_name=_badge_name(badge_name),
            group=group_name_of(settings, group),
            public_url=public_url_of(settings, public_url),
            dry_run=dry_run,
        )
        values = asyncio.run(run_setup(settings, opts, click.echo))
    except SetupError as err:
        raise click.ClickException(str(err)) from None
    if not dry_run:
        _write_or_print(values, config, write, click.echo)


COMMANDS = (setup,)
