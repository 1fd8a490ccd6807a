"""Delivers Slack outbox actions through the Web API (any Slack-compatible base URL).

Posts are paced per channel and for the workspace (`ChannelPacer`), Slack's answers are mapped to
the outbox's delivery errors (`map_slack_error`), and a row that may already have landed is looked
up by the marker in its message metadata before it is posted again. How a template becomes Block
Kit is not decided here: the composition root (bot.runtime) hands the deliverer its `Renderers`,
so bot.platforms never imports handlers.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from typing import Any, Protocol

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.platforms.slack.files import upload_file
from bot.program import outbox
from bot.program.failures import Permanent, RateLimited, Transient

METADATA_TYPE = "ambassador_bot_outbox"
TRANSIENT_ERRORS = {"internal_error", "fatal_error", "service_unavailable", "request_timeout", "ratelimited"}


class Renderers(Protocol):
    """How an outbox row's template and data become Slack content: a message (fallback text and
    Block Kit blocks) or a view (the Home tab). A `KeyError` or `ValueError` means this version
    cannot render the row. Any object with these two functions will do (a module too); the
    composition root decides which."""

    def render(self, template: str, data: Mapping[str, Any]) -> tuple[str, list[dict[str, Any]]]: ...

    def render_view(self, template: str, data: Mapping[str, Any]) -> dict[str, Any]: ...


def map_slack_error(err: Exception) -> Exception:
    if isinstance(err, SlackApiError):
        status = getattr(err.response, "status_code", 200)
        if status == 429:
            header = (err.response.headers or {}).get("Retry-After") or (err.response.headers or {}).get(
                "retry-after"
            )
            try:
                wait = float(header) if header is not None else 1.0
            except ValueError:
                wait = 1.0
            return RateLimited(max(wait, 0.5), "Slack rate limit")
        code = ""
        try:
            code = str(err.response.get("error", ""))
        except Exception:  # a non-JSON body
            code = ""
        if status >= 500 or code in TRANSIENT_ERRORS:
            return Transient(f"Slack unavailable ({status} {code})".strip())
        return Permanent(f"Slack refused: {code or status}")
    if isinstance(err, (aiohttp.ClientError, asyncio.TimeoutError, OSError)):
        return Transient(f"Slack unreachable: {type(err).__name__}")
    return err


class ChannelPacer:
    """chat.postMessage allows about one message per second per channel, and the workspace as a
    whole has its own ceiling; each post waits for a slot under both."""

    def __init__(self, per_second: float, workspace_per_second: float | None = None) -> None:
        self.interval = 1.0 / per_second
        self.global_interval = 1.0 / workspace_per_second if workspace_per_second else 0.0
        self._next: dict[str, float] = {}
        self._next_global = 0.0
        self._lock = asyncio.Lock()

    async def wait(self, channel: str) -> None:
        async with self._lock:
            now = time.monotonic()
            at = max(now, self._next.get(channel, 0.0), self._next_global)
            self._next[channel] = at + self.interval
            self._next_global = at + self.global_interval
        if at > now:
            await asyncio.sleep(at - now)

    def push_back(self, seconds: float) -> None:
        """After a 429 nobody posts again before Slack's Retry-After."""
        self._next_global = max(self._next_global, time.monotonic() + seconds)


class SlackDeliverer:
    def __init__(
        self,
        client: AsyncWebClient,
        renderers: Renderers,
        posts_per_second: float = 1.0,
        workspace_per_second: float | None = None,
    ) -> None:
        self.client = client
        self.renderers = renderers
        self.pacer = ChannelPacer(posts_per_second, workspace_per_second)
        self._im: dict[str, str] = {}

    async def deliver(self, kind: str, key: str, payload: dict[str, Any], maybe_done: bool) -> dict[str, Any]:
        try:
            return await self._deliver(kind, key, payload, maybe_done)
        except SlackApiError as err:
            mapped = map_slack_error(err)
            if isinstance(mapped, RateLimited):
                self.pacer.push_back(mapped.retry_after)
            raise mapped from None
        except (KeyError, ValueError) as err:
            # A row this version cannot render (unknown template, missing field): retrying won't help.
            raise Permanent(f"cannot build the Slack message: {err}") from None
        except (TimeoutError, aiohttp.ClientError, OSError) as err:
            raise map_slack_error(err) from None

    async def _deliver(
        self, kind: str, key: str, payload: dict[str, Any], maybe_done: bool
    ) -> dict[str, Any]:
        if kind == outbox.SLACK_HOME:
            # Publishing the whole Home tab is idempotent: the latest snapshot simply wins.
            view = self.renderers.render_view(payload["template"], payload.get("data") or {})
            await self.client.views_publish(user_id=payload["user"], view=view)
            return {"published": True}
        if kind == outbox.SLACK_FILE:
            channel = payload.get("channel") or await self._im_channel(payload["user"])
            await self.pacer.wait(channel)
            return await upload_file(self.client, channel, payload, maybe_done)
        text, blocks = self.renderers.render(payload["template"], payload.get("data") or {})
        if kind == outbox.SLACK_UPDATE:
            resp = await self.client.chat_update(
                channel=payload["channel"], ts=payload["ts"], text=text, blocks=blocks
            )
            return {"channel": resp["channel"], "ts": resp["ts"]}
        if kind == outbox.SLACK_DM:
            channel = await self._im_channel(payload["user"])
        elif kind == outbox.SLACK_POST:
            channel = payload["channel"]
        else:
            raise Permanent(f"not a Slack action: {kind}")
        if maybe_done:
            # An earlier attempt may have reached Slack before we crashed or timed out:
            # look for our own marker before posting again.
            found = await self._find_posted(channel, key)
            if found is not None:
                return {"channel": channel, "ts": found, "recovered": True}
        await self.pacer.wait(channel)
        resp = await self.client.chat_postMessage(
            channel=channel,
            text=text,
            blocks=blocks,
            unfurl_links=False,
            metadata={"event_type": METADATA_TYPE, "event_payload": {"outbox_key": key}},
        )
        return {"channel": resp["channel"], "ts": resp["ts"]}

    async def _im_channel(self, user: str) -> str:
        if user not in self._im:
            resp = await self.client.conversations_open(users=user)
            self._im[user] = str(resp["channel"]["id"])
        return self._im[user]

    async def _find_posted(self, channel: str, key: str) -> str | None:
        resp = await self.client.conversations_history(channel=channel, limit=100, include_all_metadata=True)
        messages: list[dict[str, Any]] = resp.get("messages", []) or []
        for msg in messages:
            meta = msg.get("metadata") or {}
            if (
                meta.get("event_type") == METADATA_TYPE
                and (meta.get("event_payload") or {}).get("outbox_key") == key
            ):
                return str(msg["ts"])
        return None
