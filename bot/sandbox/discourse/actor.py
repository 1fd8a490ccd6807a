"""The actor that plays Discourse delivering webhooks to the bot (``/discourse/webhooks``).

The envelope, headers and signature follow app/jobs/regular/emit_web_hook_event.rb: body
``{"<event_type>": {...}}``, ``X-Discourse-Event``, ``X-Discourse-Event-Type``,
``X-Discourse-Event-Id`` and ``X-Discourse-Event-Signature: sha256=<HMAC-SHA256(secret, body)>``.
"""

from __future__ import annotations

import hashlib
import hmac

import httpx

from bot.sandbox.discourse import webhooks
from bot.sandbox.discourse.wire import JSONDict, _dumps
from bot.sandbox.http import HttpActor

DISCOURSE_USER_AGENT = (
    "Discourse/2025.12.0-latest-80cd66e41fdba5cbc43ca9cc802424030ff9fbef; +https://www.discourse.org/"
)


class DiscourseActor(HttpActor):
    """Plays Discourse delivering webhooks to the bot's ``/discourse/webhooks``."""

    # The payload builders, at hand on the actor (``actor.post_payload(...)``).
    post_payload = staticmethod(webhooks.post_payload)
    topic_payload = staticmethod(webhooks.topic_payload)
    user_badge_payload = staticmethod(webhooks.user_badge_payload)
    group_user_payload = staticmethod(webhooks.group_user_payload)
    user_payload = staticmethod(webhooks.user_payload)

    def __init__(
        self,
        bot_url: str,
        secret: str | None,
        instance_url: str = "http://forum.sandbox",
        http: httpx.AsyncClient | None = None,
        *,
        first_event_id: int = 1,
    ) -> None:
        super().__init__(bot_url, http)
        self.secret = secret
        self.instance_url = instance_url
        self.next_event_id = first_event_id
        self.last_sent: tuple[bytes, dict[str, str]] | None = None

    @property
    def webhook_url(self) -> str:
        return f"{self.bot_url}/discourse/webhooks"

    def signature(self, body: bytes) -> str:
        if self.secret is None:
            raise ValueError("this actor has no webhook secret")
        return "sha256=" + hmac.new(self.secret.encode("utf-8"), body, hashlib.sha256).hexdigest()

    def build(
        self,
        event_name: str,
        payload: JSONDict,
        event_id: int | None = None,
        signature_override: str | None = None,
    ) -> tuple[bytes, dict[str, str]]:
        """The exact body bytes and headers Discourse would send for this event."""
        event_type = webhooks.event_type_for(event_name)
        envelope: JSONDict = {"ping": "OK"} if event_type == "ping" else {event_type: payload}
        body = _dumps(envelope)
        if event_id is None:
            event_id = self.next_event_id
            self.next_event_id += 1
        headers = {
            "Accept": "*/*",
            "Connection": "close",
            "Content-Type": "application/json",
            "User-Agent": DISCOURSE_USER_AGENT,
            "X-Discourse-Instance": self.instance_url,
            "X-Discourse-Event-Id": str(event_id),
            "X-Discourse-Event-Type": event_type,
            "X-Discourse-Event": event_name,
        }
        if signature_override is not None:
            headers["X-Discourse-Event-Signature"] = signature_override
        elif self.secret:
            headers["X-Discourse-Event-Signature"] = self.signature(body)
        return body, headers

    async def send(
        self,
        event_name: str,
        payload: JSONDict,
        event_id: int | None = None,
        signature_override: str | None = None,
    ) -> httpx.Response:
        """Deliver one webhook; ``payload`` is the inner object (e.g. from ``post_payload``)."""
        body, headers = self.build(event_name, payload, event_id, signature_override)
        return await self.send_raw(body, headers)

    async def ping(self) -> httpx.Response:
        return await self.send("ping", {})

    async def send_raw(self, body: bytes, headers: dict[str, str]) -> httpx.Response:
        self.last_sent = (body, dict(headers))
        return await self.http.post(self.webhook_url, content=body, headers=headers)

    async def redeliver(self) -> httpx.Response:
        """Send the last delivery again, byte for byte (Discourse's "Redeliver" keeps id and signature)."""
        if self.last_sent is None:
            raise ValueError("nothing was sent yet")
        body, headers = self.last_sent
        return await self.send_raw(body, headers)
