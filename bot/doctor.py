"""`ambassador-bot doctor`: check every outside dependency and say how to fix what is wrong."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import Settings
from bot.doctor_forum import check_directory_topic, check_webhook
from bot.logs import mask_url
from bot.platforms.discourse.gateway import DiscourseGateway
from bot.platforms.slack.client import make_web_client
from bot.program.failures import DeliveryError
from bot.program.text import plural
from storage import migrate
from storage.db import make_engine, make_sessionmaker, sqlite_file
from storage.uow import UnitOfWork

Echo = Callable[[str], None]


class Report:
    def __init__(self, echo: Echo) -> None:
        self.echo = echo
        self.problems = 0

    def ok(self, what: str) -> None:
        self.echo(f"  ok    {what}")

    def warn(self, what: str, fix: str) -> None:
        self.echo(f"  warn  {what}\n        → {fix}")

    def fail(self, what: str, fix: str) -> None:
        self.problems += 1
        self.echo(f"  FAIL  {what}\n        → {fix}")


async def run_doctor(settings: Settings, echo: Echo, config_path: str | None = None) -> bool:
    """`config_path` is the file `settings` came from (the CLI refuses to go on without one)."""
    r = Report(echo)
    echo("Config")
    s = settings.slack
    r.ok(f"config file {config_path} parsed and valid" if config_path else "settings valid")
    for key, value, hint in (
        ("slack.bot_token", s.bot_token, "set it or SLACK_BOT_TOKEN (starts with xoxb-)"),
        (
            # Socket Mode envelopes are not signed: one of the two is needed, never both.
            "slack.app_token (Socket Mode) or slack.signing_secret (HTTP)",
            s.signing_secret or s.socket_mode,
            "set SLACK_APP_TOKEN (xapp-…, App-Level Tokens) or SLACK_SIGNING_SECRET (Basic Information)",
        ),
        (
            "slack.moderator_channel",
            s.moderator_channel,
            "the channel id where reviews are posted, e.g. C0123ABC",
        ),
    ):
        if not value:
            r.fail(f"{key} is empty", hint)
    if not s.moderators and not s.moderator_usergroup:
        r.warn(
            "no moderators configured",
            "list Slack user ids in slack.moderators, or set slack.moderator_usergroup",
        )

    echo("Database")
    await _check_database(settings, r)
    echo("Slack")
    if s.bot_token:
        await _check_slack(settings, r)
        if s.socket_mode:
            await _check_socket_mode(settings, r)
    else:
        r.warn("skipped (no bot token)", "set slack.bot_token")
    echo("Discourse")
    if settings.discourse.enabled:
        await _check_discourse(settings, r)
    else:
        r.warn("not configured", "set [discourse] url, api_key and api_username to sync badges and groups")
    echo("")
    echo("All checks passed." if r.problems == 0 else f"{plural(r.problems, 'problem')} found.")
    return r.problems == 0


async def _check_socket_mode(settings: Settings, r: Report) -> None:
    """Socket Mode: Slack must open a connection for the app token (the socket is not kept)."""
    from bot.platforms.slack.socket import app_token_problem

    problem = await app_token_problem(settings)
    if problem is None:
        r.ok("Socket Mode: Slack opens a connection for slack.app_token")
    else:
        r.fail(
            problem.split(";")[0],
            "an app-level token (xapp-…) with the connections:write scope, Socket Mode enabled",
        )


async def _check_database(settings: Settings, r: Report) -> None:
    url = mask_url(settings.database.url)
    path = sqlite_file(settings.database.url)
    if path is not None and not path.exists():  # connecting would create an empty file
        r.fail(f"database file {path} does not exist", "run `ambassador-bot migrate` to create it")
        return
    engine = make_engine(settings.database.url)
    try:
        current = await migrate.current_revision(engine)
        head = migrate.head_revision()
        if current == head:
            r.ok(f"{url} reachable, schema up to date ({current})")
        else:
            r.fail(
                f"{url} schema is at {current or 'nothing'}, latest is {head}", "run `ambassador-bot migrate`"
            )
            return
        async with UnitOfWork(make_sessionmaker(engine)) as uow:
            failures = await uow.outbox.failures(10)
            stats = await uow.outbox.stats(datetime.now(UTC))
        waiting = stats["counts"].get("pending", 0) + stats["counts"].get("in_flight", 0)
        r.ok(f"outbox: {waiting} waiting, {stats['counts'].get('delivered', 0)} delivered")
        for f in failures:
            r.warn(
                f"delivery #{f.id} {f.kind} ({f.status}, {plural(f.attempts, 'attempt')}): {f.last_error}",
                "fix the cause, then `ambassador-bot outbox retry`"
                if f.status == "failed"
                else "being retried",
            )
    except Exception as err:
        r.fail(
            f"cannot use {url}: {type(err).__name__}", "check [database] url and that the server is running"
        )
    finally:
        await engine.dispose()


async def _check_slack(settings: Settings, r: Report) -> None:
    client = make_web_client(settings)
    try:
        auth = await client.auth_test()
        r.ok(f"auth.test: bot {auth.get('user')} in workspace {auth.get('team')}")
    except SlackApiError as err:
        code = err.response.get("error") if hasattr(err.response, "get") else err.response.status_code
        r.fail(f"auth.test refused: {code}", "check slack.bot_token (Bot User OAuth Token, xoxb-…)")
        return
    except Exception as err:
        r.fail(
            f"Slack unreachable at {settings.slack.api_url}: {type(err).__name__}",
            "check network / slack.api_url",
        )
        return
    await _check_channels(client, settings, r, str(auth.get("user") or "ambassador-bot"))


def posting_channels(settings: Settings) -> dict[str, list[str]]:
    """Every channel id the bot posts to, with what it posts there (from the config)."""
    s = settings.slack
    found: dict[str, list[str]] = {}

    def add(channel: str, what: str) -> None:
        if channel and what not in found.setdefault(channel, []):
            found[channel].append(what)

    add(s.moderator_channel, "application reviews (slack.moderator_channel)")
    add(s.ambassador_channel, "the ambassadors' channel (slack.ambassador_channel)")
    for e in settings.events:
        add(e.slack_channel or s.ambassador_channel, f"reminders of event {e.key} (events.slack_channel)")
    add(settings.requests.review_channel or s.moderator_channel, "request reviews (requests.review_channel)")
    add(settings.groups.review_channel or s.moderator_channel, "user group reviews (groups.review_channel)")
    add(
        settings.groups.conflict_channel
        or s.ambassador_channel
        or settings.groups.review_channel
        or s.moderator_channel,
        "user group overlaps (groups.conflict_channel)",
    )
    return found


async def _check_channels(client: AsyncWebClient, settings: Settings, r: Report, bot: str) -> None:
    """The bot must be a member of each channel it posts to: it has no chat:write.public, so a
    public channel it was not invited to passes conversations.info (``is_member`` false) while
    every post answers not_in_channel; a private one is not visible at all."""
    for channel, uses in posting_channels(settings).items():
        what = "; ".join(uses)
        try:
            info = (await client.conversations_info(channel=channel)).get("channel") or {}
        except SlackApiError as err:
            code = err.response.get("error") if hasattr(err.response, "get") else err.response.status_code
            r.fail(
                f"cannot see channel {channel} ({what}): {code}",
                f"check the id; if it is a private channel, /invite @{bot} in it",
            )
            continue
        except Exception as err:
            r.warn(f"channel check for {channel} failed: {type(err).__name__}", "try again")
            continue
        name = f"#{info.get('name') or channel}"
        if info.get("is_archived"):
            r.fail(f"{name} ({channel}) is archived ({what})", "unarchive it or configure another channel")
        elif info.get("is_member") or info.get("is_im"):
            r.ok(f"bot is in {name} ({what})")
        else:
            r.fail(
                f"bot is not in {name} ({channel}): every post there fails with not_in_channel ({what})",
                f"/invite @{bot} in {name}",
            )


async def _check_discourse(settings: Settings, r: Report) -> None:
    d = settings.discourse
    g = DiscourseGateway(
        d.url, d.api_key, d.api_username, d.admin_requests_per_minute, min(d.timeout_seconds, 10)
    )
    try:
        info = await g.basic_info()
        r.ok(f"{d.url} reachable ({info.get('title', 'Discourse')})")
    except DeliveryError as err:
        r.fail(f"{d.url} not reachable: {err}", "check discourse.url")
        return
    try:
        badges = await g.badges()
        r.ok("API key accepted (admin badges list readable)")
    except DeliveryError as err:
        r.fail(f"API key refused: {err}", "create an admin API key for discourse.api_username (all users)")
        return
    if d.ambassador_badge_id is not None:
        badge = next((b for b in badges if int(b.get("id", -1)) == d.ambassador_badge_id), None)
        if badge is None:
            r.fail(
                f"badge {d.ambassador_badge_id} does not exist",
                "create it in Admin → Badges, put its id here",
            )
        elif not badge.get("enabled", True):
            r.fail(
                f"badge {d.ambassador_badge_id} ({badge.get('name')}) is disabled",
                "enable it in Admin → Badges",
            )
        else:
            r.ok(f"badge {d.ambassador_badge_id} ({badge.get('name')}) exists")
    else:
        r.warn("discourse.ambassador_badge_id not set", "set it to grant the badge on approval")
    if d.ambassador_group:
        try:
            gid = await g.group_id(d.ambassador_group)
            r.ok(f"group {d.ambassador_group} exists (id {gid})")
        except DeliveryError as err:
            r.fail(
                f"group {d.ambassador_group}: {err}",
                "create the group in Discourse or fix discourse.ambassador_group",
            )
    else:
        r.warn("discourse.ambassador_group not set", "set it to add new ambassadors to the forum group")
    if not d.webhook_secret:
        r.warn(
            "discourse.webhook_secret not set",
            "set a secret (12+ characters) here and in the forum's webhook",
        )
    await check_webhook(g, settings, r)
    await check_directory_topic(g, settings, r)
