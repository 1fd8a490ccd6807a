"""The sections about where the bot runs and what it talks to: `[server]`, `[database]`,
`[slack]`, `[discourse]`, and `[outbox]` (how deliveries to both are retried and paced)."""

from __future__ import annotations

from pydantic import Field, field_validator, model_validator

from bot.config.base import Section, slack_user_ids

DEFAULT_DB_URL = "sqlite+aiosqlite:///ambassador-bot.db"
SLACK_API_URL = "https://slack.com/api/"


class ServerSettings(Section):
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


class DatabaseSettings(Section):
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


class SlackSettings(Section):
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
    # An app-level token (xapp-…, scope connections:write): when set, `run` takes Slack's
    # commands, clicks, forms and events over Socket Mode instead of POST /slack/events.
    app_token: str = ""

    @field_validator("app_token")
    @classmethod
    def _app_token(cls, v: str) -> str:
        # https://api.slack.com/authentication/token-types#app: app-level tokens start with xapp-
        if v and not v.startswith("xapp-"):
            raise ValueError(
                "must be an app-level token starting with xapp- (Basic Information → App-Level Tokens)"
            )
        return v

    @property
    def socket_mode(self) -> bool:
        """Slack's deliveries come over a Socket Mode WebSocket, not to /slack/events."""
        return bool(self.app_token)

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

    _ids = field_validator("moderators")(slack_user_ids)


class DiscourseSettings(Section):
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
    # A topic whose first post (a wiki post) the bot keeps in step with the public directory,
    # edited at most once per `directory_topic_interval_seconds`; unset: no such topic.
    directory_topic_id: int | None = Field(default=None, ge=1)
    directory_topic_interval_seconds: int = Field(default=300, ge=1, le=86400)

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


class OutboxSettings(Section):
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
