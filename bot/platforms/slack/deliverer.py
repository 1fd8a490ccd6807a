"""Delivers Slack outbox actions through the Web API (any Slack-compatible base URL).

Posts are paced per channel and for the workspace (`ChannelPacer`), Slack's answers are mapped to
the outbox's delivery errors (`map_slack_error`), and a row that may already have landed is looked
up by the marker in its message metadata before it is posted again. How a template becomes Block
Kit is not decided here: the composition root (bot.runtime) hands the deliverer its `Renderers`,
so bot.platforms never imports handlers.
"""

from __future__ import annotations

import asyncio
import copy
import time
from collections.abc import Mapping
from typing import Any, Protocol

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.platforms.budget import Budget, LocalBudget
from bot.platforms.slack.files import upload_file
from bot.program import outbox
from bot.program.failures import Permanent, RateLimited, Transient

METADATA_TYPE = "ambassador_bot_outbox"
# Idle connections are closed before a server would (uvicorn closes them after 5 s).
KEEPALIVE_SECONDS = 4.0
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
    whole has its own ceiling; each post waits for a slot under both. Slots are reserved ahead
    (no lock is held while waiting), so posts to different channels wait only for the workspace's
    budget, which is this process's (`LocalBudget`) or the cluster's (`SharedBudget`)."""

    PRUNE_AT = 4096  # channels remembered before the ones whose slot has passed are forgotten

    def __init__(
        self,
        per_second: float,
        workspace_per_second: float | None = None,
        workspace: Budget | None = None,
    ) -> None:
        self.interval = 1.0 / per_second
        self._next: dict[str, float] = {}
        self._held_until = 0.0  # after a 429 when there is no workspace budget
        if workspace is None and workspace_per_second:
            workspace = LocalBudget(workspace_per_second)
        self.workspace = workspace

    async def wait(self, channel: str) -> None:
        now = time.monotonic()
        if len(self._next) >= self.PRUNE_AT:
            self._next = {ch: at for ch, at in self._next.items() if at > now}
        at = max(now, self._next.get(channel, 0.0), self._held_until)
        self._next[channel] = at + self.interval
        if at > now:
            await asyncio.sleep(at - now)
        if self.workspace is not None:
            await self.workspace.wait()

    async def push_back(self, seconds: float) -> None:
        """After a 429 nobody posts again before Slack's Retry-After (no replica, with a shared
        workspace budget)."""
        self._held_until = max(self._held_until, time.monotonic() + seconds)
        if self.workspace is not None:
            await self.workspace.push_back(seconds)


class SlackDeliverer:
    def __init__(
        self,
        client: AsyncWebClient,
        renderers: Renderers,
        posts_per_second: float = 1.0,
        workspace_per_second: float | None = None,
        workspace_budget: Budget | None = None,
    ) -> None:
        self.client = client
        self.renderers = renderers
        self.pacer = ChannelPacer(posts_per_second, workspace_per_second, workspace_budget)
        self._im: dict[str, str] = {}
        self._session: aiohttp.ClientSession | None = None
        self._web: AsyncWebClient | None = None

    def _api(self) -> AsyncWebClient:
        """`client`, but on one HTTP session kept open (slack_sdk opens a session, and so a TCP
        connection, per call when it has none), made in the running loop on first use."""
        if self._web is None or self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=64, keepalive_timeout=KEEPALIVE_SECONDS)
            # slack_sdk applies its timeout only to the sessions it makes itself.
            timeout = aiohttp.ClientTimeout(total=self.client.timeout)
            self._session = aiohttp.ClientSession(connector=connector, timeout=timeout)
            self._web = copy.copy(self.client)  # the same token, URL, timeout and retry handlers
            self._web.session = self._session
        return self._web

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def deliver(self, kind: str, key: str, payload: dict[str, Any], maybe_done: bool) -> dict[str, Any]:
        try:
            return await self._deliver(kind, key, payload, maybe_done)
        except SlackApiError as err:
            mapped = map_slack_error(err)
            if isinstance(mapped, RateLimited):
                await self.pacer.push_back(mapped.retry_after)
            raise mapped from None
        except (KeyError, ValueError) as err:
            # A row this version cannot render (unknown template, missing field): retrying won't help.
            raise Permanent(f"cannot build the Slack message: {err}") from None
        except (TimeoutError, aiohttp.ClientError, OSError) as err:
            raise map_slack_error(err) from None

    async def _deliver(
        self, kind: str, key: str, payload: dict[str, Any], maybe_done: bool
    ) -> dict[str, Any]:
        api = self._api()
        if kind == outbox.SLACK_HOME:
            # Publishing the whole Home tab is idempotent: the latest snapshot simply wins.
            view = self.renderers.render_view(payload["template"], payload.get("data") or {})
            await api.views_publish(user_id=payload["user"], view=view)
            return {"published": True}
        if kind == outbox.SLACK_FILE:
            channel = payload.get("channel") or await self._im_channel(api, payload["user"])
            await self.pacer.wait(channel)
            return await upload_file(api, channel, payload, maybe_done)
        text, blocks = self.renderers.render(payload["template"], payload.get("data") or {})
        if kind == outbox.SLACK_UPDATE:
            resp = await api.chat_update(
                channel=payload["channel"], ts=payload["ts"], text=text, blocks=blocks
            )
            return {"channel": resp["channel"], "ts": resp["ts"]}
        user = None
        if kind == outbox.SLACK_DM:
            # A user id as the channel posts in the bot's DM with them (chat.postMessage's
            # `channel` argument), so a first DM needs no conversations.open round trip; the DM's
            # channel id comes back in the answer.
            user = payload["user"]
            channel = self._im.get(user, user)
        elif kind == outbox.SLACK_POST:
            channel = payload["channel"]
        else:
            raise Permanent(f"not a Slack action: {kind}")
        if maybe_done:
            # An earlier attempt may have reached Slack before we crashed or timed out:
            # look for our own marker before posting again.
            if user is not None:
                channel = await self._im_channel(api, user)
            found = await self._find_posted(api, channel, key)
            if found is not None:
                return {"channel": channel, "ts": found, "recovered": True}
        await self.pacer.wait(channel)
        resp = await api.chat_postMessage(
            channel=channel,
            text=text,
            blocks=blocks,
            unfurl_links=False,
            metadata={"event_type": METADATA_TYPE, "event_payload": {"outbox_key": key}},
        )
        if user is not None:
            self._im[user] = str(resp["channel"])
        return {"channel": resp["channel"], "ts": resp["ts"]}

    async def _im_channel(self, api: AsyncWebClient, user: str) -> str:
        if user not in self._im:
            resp = await api.conversations_open(users=user)
            self._im[user] = str(resp["channel"]["id"])
        return self._im[user]

    async def _find_posted(self, api: AsyncWebClient, channel: str, key: str) -> str | None:
        resp = await api.conversations_history(channel=channel, limit=100, include_all_metadata=True)
        messages: list[dict[str, Any]] = resp.get("messages", []) or []
        for msg in messages:
            meta = msg.get("metadata") or {}
            if (
                meta.get("event_type") == METADATA_TYPE
                and (meta.get("event_payload") or {}).get("outbox_key") == key
            ):
                return str(msg["ts"])
        return None
