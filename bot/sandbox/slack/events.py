"""The Events API side of ``SlackActor``: ``event_callback`` envelopes
(https://api.slack.com/apis/connections/events-api#callback-field, "Callback field overview"),
Slack's retries with ``X-Slack-Retry-Num`` / ``X-Slack-Retry-Reason``
(https://api.slack.com/apis/connections/events-api#retries), ``url_verification``
(https://api.slack.com/events/url_verification), ``app_home_opened``
(https://api.slack.com/events/app_home_opened) and ``team_join`` (https://api.slack.com/events/team_join).
"""

from __future__ import annotations

import base64
import copy
import time
from typing import TYPE_CHECKING, Any

import httpx

from bot.sandbox.slack.common import JSONDict
from bot.sandbox.slack.standin import SlackStandIn

__all__ = ["EventsApi"]


class EventsApi:
    """The events half of ``SlackActor`` (a mixin: the actor holds the stand-in and the client)."""

    standin: SlackStandIn
    _event_seq: int

    if TYPE_CHECKING:  # the actor's own: POST a signed JSON body to the bot

        async def _send_json(self, body: JSONDict, **overrides: Any) -> httpx.Response: ...

    async def event(
        self,
        event: JSONDict,
        event_id: str | None = None,
        *,
        retry_num: int | None = None,
        retry_reason: str | None = None,
        timestamp_override: int | None = None,
        secret_override: str | None = None,
    ) -> httpx.Response:
        """Deliver an Events API ``event_callback`` envelope."""
        self._event_seq += 1
        now = int(time.time())
        envelope: JSONDict = {
            "token": self.standin.verification_token,
            "team_id": self.standin.team_id,
            "api_app_id": self.standin.app_id,
            "event": event,
            "type": "event_callback",
            "event_id": event_id or f"Ev{now:X}{self._event_seq:04d}",
            "event_time": now,
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": self.standin.team_id,
                    "user_id": self.standin.bot_user_id,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
            "event_context": f"4-{base64.urlsafe_b64encode(str(self._event_seq).encode()).decode()}",
        }
        extra: dict[str, str] = {}
        if retry_num is not None:
            extra["X-Slack-Retry-Num"] = str(retry_num)
            extra["X-Slack-Retry-Reason"] = retry_reason or "http_timeout"
        return await self._send_json(
            envelope,
            timestamp_override=timestamp_override,
            secret_override=secret_override,
            extra_headers=extra,
        )

    async def app_home_opened(self, user_id: str) -> httpx.Response:
        event: JSONDict = {
            "type": "app_home_opened",
            "user": user_id,
            "channel": self.standin.im_channel_id(user_id),
            "tab": "home",
            "event_ts": f"{time.time():.6f}",
        }
        home = self.standin.home_tabs.get(user_id)
        if home is not None:
            event["view"] = copy.deepcopy(home)
        return await self.event(event)

    async def team_join(self, user_id: str) -> httpx.Response:
        user = self.standin.users.get(user_id)
        if user is None:
            raise ValueError(f"add the user {user_id!r} to the stand-in first")
        return await self.event(
            {"type": "team_join", "user": copy.deepcopy(user), "event_ts": f"{time.time():.6f}"}
        )

    async def url_verification(self, challenge: str = "sandbox-challenge") -> httpx.Response:
        body = {"token": self.standin.verification_token, "challenge": challenge, "type": "url_verification"}
        return await self._send_json(body)
