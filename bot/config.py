"""Settings: TOML file → validated, typed settings; secrets from the environment win.

`load_settings` raises `ConfigError` with a single line naming the key and what is wrong, so the
CLI can print it and stop without a traceback.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import isodate
from dateutil.relativedelta import relativedelta
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from bot.config_groups import GroupsSettings
from bot.program.events.recurrence import RecurrenceError, normalise_rrule
from bot.program.money import MoneyError, config_amount, currency_code

DEFAULT_DB_URL = "sqlite+aiosqlite:///ambassador-bot.db"
SLACK_API_URL = "https://slack.com/api/"

# Environment variables that override secrets in the file: (env name, section, key).
ENV_SECRETS: tuple[tuple[str, str, str], ...] = (
    ("SLACK_BOT_TOKEN", "slack", "bot_token"),
    ("SLACK_SIGNING_SECRET", "slack", "signing_secret"),
    ("DISCOURSE_API_KEY", "discourse", "api_key"),
    ("DISCOURSE_WEBHOOK_SECRET", "discourse", "webhook_secret"),
    ("METRICS_TOKEN", "server", "metrics_token"),
)


class ConfigError(Exception):
    """A configuration problem, phrased as one line for a person."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ServerSettings(_Section):
    host: str = "127.0.0.1"
    port: int = Field(default=3000, ge=0, le=65535)
    # The address people reach the bot at (for calendar links), e.g. https://bot.example.org
    public_url: str = ""
    # When set, GET /metrics answers only requests with `Authorization: Bearer <this>`.
    metrics_token: str = ""

    @model_validator(mode="after")
    def _default_public_url(self) -> ServerSettings:
        if not self.public_url:
            object.__setattr__(self, "public_url", f"http://{self.host}:{self.port}")
        return self


class DatabaseSettings(_Section):
    url: str = DEFAULT_DB_URL

    @field_validator("url")
    @classmethod
    def _supported(cls, v: str) -> str:
        if not (v.startswith("sqlite+aiosqlite://") or v.startswith("postgresql+asyncpg://")):
            raise ValueError("must start with sqlite+aiosqlite:// or postgresql+asyncpg://")
        return v

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")


class SlackSettings(_Section):
    bot_token: str = ""
    signing_secret: str = ""
    api_url: str = SLACK_API_URL
    command: str = "/ambassador"
    moderator_channel: str = ""
    ambassador_channel: str = ""
    moderators: tuple[str, ...] = ()
    moderator_usergroup: str = ""
    # How long one Web API call may take before it counts as failed (and is retried later);
    # without a bound a hung Slack would stall the outbox worker.
    timeout_seconds: float = Field(default=15.0, gt=0, le=300)

    @field_validator("command")
    @classmethod
    def _slash(cls, v: str) -> str:
        if not v.startswith("/") or len(v) < 2 or " " in v:
            raise ValueError("must look like /ambassador")
        return v

    @field_validator("api_url")
    @classmethod
    def _api_url(cls, v: str) -> str:
        if not v.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL")
        return v if v.endswith("/") else v + "/"

    @field_validator("moderators")
    @classmethod
    def _ids(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for uid in v:
            if not uid or uid[0] not in "UW" or not uid.isalnum():
                raise ValueError(f"{uid!r} is not a Slack user id (like U012ABCDEF)")
        return v


class DiscourseSettings(_Section):
    url: str = ""
    api_key: str = ""
    api_username: str = "system"
    webhook_secret: str = ""
    intro_topic_id: int | None = None
    intro_category_id: int | None = None
    ambassador_badge_id: int | None = None
    ambassador_group: str = ""
    admin_requests_per_minute: int = Field(default=60, ge=1, le=6000)
    # When the nightly reconciliation runs (UTC hour); -1 turns it off.
    sync_hour_utc: int = Field(default=3, ge=-1, le=23)
    timeout_seconds: float = Field(default=20.0, gt=0)

    @field_validator("url")
    @classmethod
    def _url(cls, v: str) -> str:
        if v and not v.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL such as https://forum.example.org")
        return v.rstrip("/")

    @field_validator("webhook_secret")
    @classmethod
    def _secret(cls, v: str) -> str:
        # Discourse itself refuses webhook secrets shorter than 12 characters.
        if v and len(v) < 12:
            raise ValueError("must be at least 12 characters (Discourse's own minimum)")
        return v

    @property
    def enabled(self) -> bool:
        return bool(self.url)


class OnboardingStep(_Section):
    key: str
    title: str
    completes: Literal["event", "button", "moderator"] = "moderator"

    @field_validator("key")
    @classmethod
    def _key(cls, v: str) -> str:
        if not v or not v.replace("_", "").isalnum():
            raise ValueError("must be letters, digits and underscores")
        return v


DEFAULT_STEPS = (
    OnboardingStep(key="intro", title="Post your introduction in the forum intro topic", completes="event"),
    OnboardingStep(
        key="guidelines", title="Read and acknowledge the ambassador guidelines", completes="button"
    ),
    OnboardingStep(key="profile", title="Fill in your directory profile", completes="event"),
    OnboardingStep(key="announced", title="Announce your new role", completes="moderator"),
)


class ProgramSettings(_Section):
    name: str = "Community Ambassadors"
    # A term is a calendar period, an ISO 8601 duration in years, months, weeks or days:
    # "P2Y" ends on the same date two years later (a 29 February start ends on 28 February).
    term: str | None = None  # default: P2Y
    term_years: int | None = Field(default=None, ge=1, le=10)  # the same as term = "P{n}Y"
    term_days: int | None = Field(default=None, ge=1, le=3650)  # the older key: exactly n days
    guidelines_url: str = ""
    badge_name: str = "Ambassador"
    onboarding: tuple[OnboardingStep, ...] = DEFAULT_STEPS

    @model_validator(mode="after")
    def _unique_steps(self) -> ProgramSettings:
        keys = [s.key for s in self.onboarding]
        dupes = sorted({k for k in keys if keys.count(k) > 1})
        if dupes:
            raise ValueError(f"onboarding step keys must be unique; repeated: {', '.join(dupes)}")
        return self

    @field_validator("term")
    @classmethod
    def _term(cls, v: str | None) -> str | None:
        if v is not None:
            parse_term(v)
        return v

    @model_validator(mode="after")
    def _one_term_setting(self) -> ProgramSettings:
        given = [k for k in ("term", "term_years", "term_days") if getattr(self, k) is not None]
        if len(given) > 1:
            raise ValueError(f"give the term length once, not as {' and '.join(given)}")
        return self

    @property
    def term_period(self) -> relativedelta:
        if self.term_days is not None:
            return relativedelta(days=self.term_days)
        if self.term_years is not None:
            return relativedelta(years=self.term_years)
        return parse_term(self.term or "P2Y")

    def term_end(self, start: datetime) -> datetime:
        """When a term that starts (or is renewed) at `start` ends: the same calendar date and time one
        term later; a date the month doesn't have becomes its last day (29 February + P2Y → 28 February)."""
        return start + self.term_period


def parse_term(text: str) -> relativedelta:
    """An ISO 8601 duration of whole years, months, weeks or days (P2Y, P18M, P90D), up to ten years."""
    try:
        parsed = isodate.parse_duration(text.strip())
    except (isodate.ISO8601Error, ValueError, TypeError):
        raise ValueError(f"{text!r} is not an ISO 8601 duration like P2Y, P18M or P90D") from None
    years, months, rest = (
        (0, 0, parsed) if isinstance(parsed, timedelta) else (parsed.years, parsed.months, parsed.tdelta)
    )
    if years != int(years) or months != int(months) or rest % timedelta(days=1):
        raise ValueError(f"{text!r}: a term is whole years, months, weeks or days (e.g. P2Y)")
    period = relativedelta(years=int(years), months=int(months), days=rest.days)
    origin = datetime(2000, 1, 1)
    if not origin < origin + period <= origin + relativedelta(years=10):
        raise ValueError(f"{text!r}: a term is longer than nothing and at most ten years (P10Y)")
    return period


class OutboxSettings(_Section):
    max_attempts: int = Field(default=12, ge=1, le=100)
    base_backoff_seconds: float = Field(default=2.0, gt=0)
    max_backoff_seconds: float = Field(default=900.0, gt=0)
    poll_seconds: float = Field(default=1.0, gt=0)
    lease_seconds: float = Field(default=60.0, gt=0)
    slack_posts_per_second: float = Field(default=1.0, gt=0)
    # Workspace-wide ceiling for the bot's posts (many DMs at once); Slack answers 429 past it.
    slack_workspace_posts_per_second: float = Field(default=10.0, gt=0)
    # On shutdown (SIGTERM) the delivery in hand may finish for this long before it is cut short.
    shutdown_grace_seconds: float = Field(default=5.0, ge=0, le=300)


_OFFSET = re.compile(r"^\s*(\d+)\s*([wdhm])\s*$")


def parse_offset(text: str) -> int:
    """'2w' / '7d' / '1h' / '30m' → minutes (a whole number of days counts in calendar days of the
    series' timezone when a reminder is due: bot/program/recurrence.py)."""
    m = _OFFSET.match(text)
    if not m:
        raise ValueError(f"{text!r} is not an offset like 7d, 1h or 30m")
    n, unit = int(m.group(1)), m.group(2)
    return n * {"w": 7 * 1440, "d": 1440, "h": 60, "m": 1}[unit]


class EventSettings(_Section):
    key: str
    title: str
    kind: Literal["meetup", "office_hours"] = "meetup"
    rrule: str
    start: str  # first occurrence in local wall time, e.g. 2026-01-01T17:00
    timezone: str
    duration_minutes: int = Field(default=60, ge=5, le=24 * 60)
    link: str = ""
    host: str = ""
    slack_channel: str = ""  # default: slack.ambassador_channel
    forum_topic_id: int | None = None
    reminders: tuple[str, ...] = ("7d", "1d", "1h")
    slot_minutes: int | None = Field(default=None, ge=5, le=240)

    @field_validator("key")
    @classmethod
    def _key(cls, v: str) -> str:
        if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,59}", v):
            raise ValueError("must be lower-case letters, digits, - and _ (e.g. monthly-meetup)")
        return v

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown timezone {v!r} (use a name like Europe/London)") from None
        return v

    @field_validator("start")
    @classmethod
    def _start(cls, v: str) -> str:
        try:
            datetime.strptime(v, "%Y-%m-%dT%H:%M")
        except ValueError:
            raise ValueError("must look like 2026-01-01T17:00 (local time of the first occurrence)") from None
        return v

    @field_validator("rrule")
    @classmethod
    def _rrule(cls, v: str) -> str:
        # UNTIL is normalised to UTC, a form the feed cannot carry is refused (recurrence.py).
        try:
            return normalise_rrule(v)
        except RecurrenceError as err:
            raise ValueError(f"not a valid RRULE ({err})") from None

    @field_validator("reminders")
    @classmethod
    def _offsets(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for item in v:
            parse_offset(item)
        return v

    @property
    def offsets_minutes(self) -> list[int]:
        return sorted({parse_offset(x) for x in self.reminders}, reverse=True)


class ReminderSettings(_Section):
    # A reminder that became due while the bot was down is still sent this long after its time
    # (and never once the event has started); otherwise it is recorded as skipped.
    grace_minutes: int = Field(default=60, ge=0, le=7 * 1440)
    sweep_seconds: float = Field(default=30.0, gt=0, le=3600)
    booking_reminder: str = "1h"
    nudge_after_days: int = Field(default=7, ge=1, le=365)
    digest_weekday: int = Field(default=0, ge=0, le=6)  # 0 = Monday
    digest_hour_utc: int = Field(default=9, ge=0, le=23)

    @field_validator("booking_reminder")
    @classmethod
    def _offset(cls, v: str) -> str:
        parse_offset(v)
        return v


class RenewalSettings(_Section):
    reminder_days: tuple[int, ...] = (60, 30, 7)
    grace_days: int = Field(default=14, ge=0, le=365)
    auto_approve: bool = False


class RequestKindSettings(_Section):
    """Limits for one kind of request; amounts per ISO 4217 currency, written as strings."""

    enabled: bool = True
    # A single request above this amount is refused when it is submitted.
    max_amount: dict[str, Decimal] = {}
    # Requests above this amount need two different moderators to approve them.
    two_approvers_above: dict[str, Decimal] = {}
    # Approved spend per calendar quarter (UTC); an approval that would go over it is refused.
    quarterly_budget: dict[str, Decimal] = {}

    @field_validator("max_amount", "two_approvers_above", "quarterly_budget", mode="before")
    @classmethod
    def _amounts(cls, v: Any) -> Any:
        if not isinstance(v, Mapping):
            return v
        out: dict[str, Decimal] = {}
        for code, amount in v.items():
            try:
                out[currency_code(str(code))] = config_amount(amount)
            except MoneyError as err:
                raise ValueError(str(err)) from None
            except ValueError as err:
                raise ValueError(f"{code}: {err}") from None
        return out


class RequestsSettings(_Section):
    # Channel id where requests are reviewed; empty means slack.moderator_channel.
    review_channel: str = ""
    # Only active ambassadors may make requests (set false to let anyone in the workspace ask).
    ambassadors_only: bool = True
    # Currencies accepted (ISO 4217 codes); empty accepts every ISO 4217 currency.
    currencies: tuple[str, ...] = ()
    hardware: RequestKindSettings = RequestKindSettings()
    expense: RequestKindSettings = RequestKindSettings()
    swag: RequestKindSettings = RequestKindSettings()

    @field_validator("currencies")
    @classmethod
    def _codes(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        try:
            return tuple(currency_code(c) for c in v)
        except MoneyError as err:
            raise ValueError(str(err)) from None

    def kind(self, name: str) -> RequestKindSettings:
        settings: RequestKindSettings = getattr(self, name)
        return settings


class Settings(_Section):
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

    @model_validator(mode="after")
    def _unique_events(self) -> Settings:
        keys = [e.key for e in self.events]
        dupes = sorted({k for k in keys if keys.count(k) > 1})
        if dupes:
            raise ValueError(f"event keys must be unique; repeated: {', '.join(dupes)}")
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
    if not settings.slack.signing_secret:
        raise ConfigError("slack.signing_secret: required key is missing (or set SLACK_SIGNING_SECRET)")
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
