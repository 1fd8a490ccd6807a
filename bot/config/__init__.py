"""Settings: TOML file → validated, typed settings; secrets from the environment win.

`load_settings` raises `ConfigError` with a single line naming the key and what is wrong, so the
CLI can print it and stop without a traceback. One module per group of sections: `platforms`
(server, database, slack, discourse, outbox), `program` (program, renewals), `events` (events,
reminders), `requests`, `groups`, `web` (the public pages); `base` holds what they share.
`Settings` and the loaders are here.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError, model_validator

from bot.config.base import ConfigError, Section, unique_keys
from bot.config.events import EventSettings, ReminderSettings, parse_offset
from bot.config.groups import GroupsSettings
from bot.config.platforms import (
    DEFAULT_DB_URL,
    SLACK_API_URL,
    DatabaseSettings,
    DiscourseSettings,
    OutboxSettings,
    ServerSettings,
    SlackSettings,
)
from bot.config.program import DEFAULT_STEPS, OnboardingStep, ProgramSettings, RenewalSettings, parse_term
from bot.config.requests import RequestKindSettings, RequestsSettings
from bot.config.web import WebSettings

__all__ = [
    "DEFAULT_DB_URL",
    "DEFAULT_STEPS",
    "ENV_SECRETS",
    "SLACK_API_URL",
    "ConfigError",
    "DatabaseSettings",
    "DiscourseSettings",
    "EventSettings",
    "GroupsSettings",
    "OnboardingStep",
    "OutboxSettings",
    "ProgramSettings",
    "ReminderSettings",
    "RenewalSettings",
    "RequestKindSettings",
    "RequestsSettings",
    "ServerSettings",
    "Settings",
    "SlackSettings",
    "WebSettings",
    "load_settings",
    "parse_offset",
    "parse_term",
    "require_for_run",
    "settings_from_mapping",
]

# Environment variables that override secrets in the file: (env name, section, key).
ENV_SECRETS: tuple[tuple[str, str, str], ...] = (
    ("SLACK_BOT_TOKEN", "slack", "bot_token"),
    ("SLACK_SIGNING_SECRET", "slack", "signing_secret"),
    ("SLACK_APP_TOKEN", "slack", "app_token"),
    ("DISCOURSE_API_KEY", "discourse", "api_key"),
    ("DISCOURSE_WEBHOOK_SECRET", "discourse", "webhook_secret"),
    ("METRICS_TOKEN", "server", "metrics_token"),
)


class Settings(Section):
    server: ServerSettings = ServerSettings()
    database: DatabaseSettings = DatabaseSettings()
    slack: SlackSettings = SlackSettings()
    discourse: DiscourseSettings = DiscourseSettings()
    program: ProgramSettings = ProgramSettings()
    outbox: OutboxSettings = OutboxSettings()
    reminders: ReminderSettings = ReminderSettings()
    renewals: RenewalSettings = RenewalSettings()
    requests: RequestsSettings = RequestsSettings()
    events: tuple[EventSettings, ...] = ()
    groups: GroupsSettings = GroupsSettings()
    web: WebSettings = WebSettings()

    @model_validator(mode="after")
    def _unique_events(self) -> Settings:
        unique_keys("event", self.events)
        return self

    def replace(self, **sections: Any) -> Settings:
        """A copy with whole sections or single keys changed: replace(slack={"api_url": ...})."""
        data = self.model_dump()
        for section, values in sections.items():
            data[section].update(values)
        return Settings.model_validate(data)


def _describe(err: ValidationError) -> str:
    first = err.errors()[0]
    loc = ".".join(str(p) for p in first["loc"] if not isinstance(p, int)) or "config"
    kind = first["type"]
    if kind == "extra_forbidden":
        return f"{loc}: unknown key (check the spelling against config.example.toml)"
    if kind == "missing":
        return f"{loc}: required key is missing"
    msg = str(first["msg"]).removeprefix("Value error, ")
    return f"{loc}: {msg}"


def settings_from_mapping(data: Mapping[str, Any], env: Mapping[str, str] | None = None) -> Settings:
    merged: dict[str, Any] = {k: (dict(v) if isinstance(v, Mapping) else v) for k, v in data.items()}
    for env_name, section, key in ENV_SECRETS:
        value = (env if env is not None else os.environ).get(env_name)
        if value:
            sec = merged.setdefault(section, {})
            if not isinstance(sec, dict):
                raise ConfigError(f"{section}: must be a table ([{section}])")
            sec[key] = value
    try:
        return Settings.model_validate(merged)
    except ValidationError as err:
        raise ConfigError(_describe(err)) from None


def load_settings(path: str | Path | None, env: Mapping[str, str] | None = None) -> Settings:
    """Read settings from `path` (TOML). A missing default file means built-in defaults."""
    data: dict[str, Any] = {}
    if path is not None:
        p = Path(path)
        if not p.exists():
            raise ConfigError(f"{p}: config file not found (copy config.example.toml to start)")
        try:
            data = tomllib.loads(p.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as err:
            raise ConfigError(f"{p}: not valid TOML ({err})") from None
        except UnicodeDecodeError:
            raise ConfigError(f"{p}: not UTF-8 text") from None
    return settings_from_mapping(data, env)


def require_for_run(settings: Settings) -> None:
    """Keys `run` cannot do without (the sandbox fills them in itself)."""
    # Socket Mode envelopes are not signed (Slack authenticates the connection by the app token),
    # and /slack/events then refuses everything, so the signing secret is not needed there.
    if not settings.slack.signing_secret and not settings.slack.socket_mode:
        raise ConfigError(
            "slack.signing_secret: required key is missing (or set SLACK_SIGNING_SECRET), unless "
            "slack.app_token (SLACK_APP_TOKEN) is set for Socket Mode"
        )
    if not settings.slack.bot_token:
        raise ConfigError("slack.bot_token: required key is missing (or set SLACK_BOT_TOKEN)")
    if not settings.slack.moderator_channel:
        raise ConfigError("slack.moderator_channel: required key is missing (the channel id for reviews)")
    if settings.discourse.enabled and not settings.discourse.webhook_secret:
        # It is what authenticates the forum's webhooks: without it they could not be accepted.
        raise ConfigError(
            "discourse.webhook_secret: required when discourse.url is set "
            "(at least 12 characters, as in the forum's webhook; or set DISCOURSE_WEBHOOK_SECRET)"
        )
