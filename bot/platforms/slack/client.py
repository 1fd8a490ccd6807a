"""The Slack Web API client the bot is built with, and the look-ups made through it.

One `AsyncWebClient` serves the listeners and the outbox deliveries alike (any Slack-compatible
base URL, e.g. the sandbox). A retry handler counts every 429 it meets for the metrics;
`SlackUsergroups` resolves a moderator user group to its members for bot.program.roles.
"""

from __future__ import annotations

import math
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncRateLimitErrorRetryHandler,
    async_default_handlers,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import Settings
from bot.program.errors import ProgramError


class SlackUsergroups:
    """Resolves a Slack user group to its members (moderators may be given as a group)."""

    def __init__(self, client: AsyncWebClient) -> None:
        self._client = client

    async def members(self, usergroup_id: str) -> set[str]:
        resp = await self._client.usergroups_users_list(usergroup=usergroup_id)
        users: list[str] = resp.get("users", []) or []
        return {str(u) for u in users}


class RateLimitCounter(AsyncRetryHandler):
    """Counts every 429 the Web API client meets, in listeners and deliveries alike (slack_sdk asks
    each retry handler about every answer: slack_sdk/web/async_internal_utils.py). It never asks
    for a retry: the outbox reschedules on its own, and a listener answers the person."""

    def __init__(self) -> None:
        super().__init__(max_retry_count=2**31)  # so it is asked about every answer
        self.count = 0

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if response is not None and response.status_code == 429:
            self.count += 1
        return False


def make_web_client(settings: Settings) -> AsyncWebClient:
    return AsyncWebClient(
        token=settings.slack.bot_token or None,
        base_url=settings.slack.api_url,
        timeout=max(1, math.ceil(settings.slack.timeout_seconds)),
        retry_handlers=[RateLimitCounter(), *async_default_handlers()],
    )


def rate_limited(client: AsyncWebClient) -> int:
    """How many 429s this client has met."""
    return sum(h.count for h in client.retry_handlers if isinstance(h, RateLimitCounter))


class SlackPeopleLookup:
    """The workspace's members for an import (bot.program.roster.resolve.SlackPeople):
    `users.lookupByEmail` (needs the `users:read.email` scope; an unknown or deactivated address
    is `users_not_found`: https://api.slack.com/methods/users.lookupByEmail) and `users.info`
    (`user_not_found`: https://api.slack.com/methods/users.info). Any other refusal is one line
    naming Slack's error, never the token."""

    def __init__(self, client: AsyncWebClient) -> None:
        self._client = client

    async def _user(self, method: str, not_found: str, **args: str) -> dict[str, Any] | None:
        """The user object `method` answers, None when Slack says `not_found`."""
        try:
            resp = await self._client.api_call(method, http_verb="GET", params=args)
        except SlackApiError as err:
            if err.response.get("error") == not_found:
                return None
            raise _refused(method, err) from None
        except (aiohttp.ClientError, TimeoutError) as err:
            raise ProgramError(f"cannot reach Slack for {method} ({type(err).__name__})") from None
        user: dict[str, Any] = resp.get("user") or {}
        return None if user.get("deleted") else user

    async def by_email(self, email: str) -> str | None:
        user = await self._user("users.lookupByEmail", "users_not_found", email=email)
        return str(user["id"]) if user else None

    async def exists(self, slack_id: str) -> bool:
        return await self._user("users.info", "user_not_found", user=slack_id) is not None


def _refused(method: str, err: SlackApiError) -> ProgramError:
    error = str(err.response.get("error") or "unknown error")
    hint = " (add users:read.email to the app's scopes and reinstall it)" if error == "missing_scope" else ""
    return ProgramError(f"Slack refused {method}: {error}{hint}")


def make_lookup_client(settings: Settings, max_waits: int = 100) -> AsyncWebClient:
    """A client for bulk look-ups (an import's `users.lookupByEmail`, Tier 3, about 50 a minute:
    https://api.slack.com/docs/rate-limits): it waits out each 429's `Retry-After` up to
    `max_waits` times (slack_sdk's AsyncRateLimitErrorRetryHandler) instead of giving up."""
    return AsyncWebClient(
        token=settings.slack.bot_token or None,
        base_url=settings.slack.api_url,
        timeout=max(1, math.ceil(settings.slack.timeout_seconds)),
        retry_handlers=[
            RateLimitCounter(),
            AsyncRateLimitErrorRetryHandler(max_retry_count=max_waits),
            *async_default_handlers(),
        ],
    )
