"""The Slack Web API client the bot is built with, and the look-ups made through it.

One `AsyncWebClient` serves the listeners and the outbox deliveries alike (any Slack-compatible
base URL, e.g. the sandbox). A retry handler counts every 429 it meets for the metrics;
`SlackUsergroups` resolves a moderator user group to its members for bot.program.roles.
"""

from __future__ import annotations

import math

from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import async_default_handlers
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import Settings


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
