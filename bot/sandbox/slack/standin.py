"""``SlackStandIn``: a local, real-HTTP stand-in for Slack's Web API.

It serves ``/api/<method>`` like ``https://slack.com/api/<method>``: the same payload shapes,
``ok``/``error`` envelopes, auth errors, per-channel rate limits (HTTP 429 + ``Retry-After``) and
outages. It is not a mock: unknown methods, missing arguments, bad tokens, expired trigger ids,
channels the bot is not in and Block Kit that Slack would refuse fail the way Slack fails. Every
call is recorded in ``calls`` so tests can assert what the bot sent. The methods themselves are
in ``methods/``; auth, rate limits and faults in ``gate``; response URLs in ``responses``; modals
in ``surfaces``; Block Kit validation in ``blockkit``.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import random
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.sandbox.faults import Faults
from bot.sandbox.http import ServedStandIn
from bot.sandbox.slack import blockkit, responses
from bot.sandbox.slack.common import (
    MAX_TEXT_LEN,
    TRIGGER_TTL_SECONDS,
    ApiError,
    Bucket,
    JSONDict,
    ResponseUrl,
    Trigger,
    json_response,
    tz_info,
)
from bot.sandbox.slack.gate import ApiGate
from bot.sandbox.slack.methods import METHODS, files
from bot.sandbox.slack.responses import ResponseUrls
from bot.sandbox.slack.socket_mode import SocketModeServer, connections_open
from bot.sandbox.slack.surfaces import ViewSurfaces

__all__ = ["SlackStandIn"]


@dataclass(eq=False)
class SlackStandIn(ServedStandIn, ApiGate, ResponseUrls, ViewSurfaces):
    """Slack Web API stand-in. Serve ``.app``; point ``AsyncWebClient(base_url=url + "/api/")`` at it."""

    bot_token: str = "xoxb-sandbox"  # noqa: S105 - a sandbox credential, not a secret
    signing_secret: str = "sandbox-signing-secret"  # noqa: S105
    team_id: str = "T0SANDBOX"
    bot_user_id: str = "U0BOT"
    post_burst: int = 4
    clock: Callable[[], float] = time.monotonic
    bot_id: str = "B0BOT"
    app_id: str = "A0SANDBOX"
    team_domain: str = "sandbox"
    team_name: str = "Sandbox"
    verification_token: str = "sandbox-verification-token"  # noqa: S105
    post_rate_per_second: float = 1.0
    seed: int = 0
    # Optional workspace-wide ceiling on chat.postMessage (all channels together), like Slack's own.
    workspace_rate_per_second: float | None = None
    workspace_burst: int = 20
    # The app-level token apps.connections.open takes (Socket Mode; see ``socket_mode``).
    app_token: str = "xapp-1-A0SANDBOX-1-sandbox"  # noqa: S105 - a sandbox credential

    base_url: str = ""
    down: bool = False
    users: dict[str, JSONDict] = field(default_factory=dict, init=False, repr=False)
    channels: dict[str, JSONDict] = field(default_factory=dict, init=False, repr=False)
    messages: dict[str, list[JSONDict]] = field(default_factory=dict, init=False, repr=False)
    views: dict[str, JSONDict] = field(default_factory=dict, init=False, repr=False)
    view_owners: dict[str, str] = field(default_factory=dict, init=False, repr=False)
    modal_stacks: dict[str, list[str]] = field(default_factory=dict, init=False, repr=False)
    home_tabs: dict[str, JSONDict] = field(default_factory=dict, init=False, repr=False)
    closed_views: dict[str, JSONDict] = field(default_factory=dict, init=False, repr=False)
    ephemerals: list[JSONDict] = field(default_factory=list, init=False, repr=False)
    responses: list[JSONDict] = field(default_factory=list, init=False, repr=False)
    calls: list[tuple[str, JSONDict]] = field(default_factory=list, init=False, repr=False)
    usergroups: dict[str, list[str]] = field(default_factory=dict, init=False, repr=False)
    # Files shared with files.completeUploadExternal: the file object plus "content" (the bytes
    # posted to the upload URL) and "shared_to" (the channel ids it was shared into).
    files: list[JSONDict] = field(default_factory=list, init=False, repr=False)
    rate_limited: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)
        self._buckets: dict[str, Bucket] = {}
        self._triggers: dict[str, Trigger] = {}
        self._trigger_seq = 0
        self._response_urls: dict[int, ResponseUrl] = {}
        self._response_seq = 0
        self._view_seq = 0
        self._last_ts_us = 0
        self._uploads: dict[str, JSONDict] = {}
        self._last_view: dict[str, str] = {}
        self.faults = Faults(self.clock)
        self.socket_mode = SocketModeServer(self.app_id, self.app_token)
        self._handlers: dict[str, Callable[[JSONDict], JSONDict]] = {
            name: functools.partial(fn, self) for name, fn in METHODS.items()
        }
        self._app = Starlette(
            routes=[
                Route("/api/{method:path}", self._handle_api, methods=["GET", "POST"]),
                Route("/_standin/response/{url_id}", self._handle_response_url, methods=["POST"]),
                Route("/_standin/upload/{file_id}", self._handle_upload, methods=["POST"]),
            ]
        )

    # ------------------------------------------------------------------ setup

    def add_user(
        self,
        user_id: str,
        name: str,
        tz: str = "Europe/London",
        *,
        real_name: str | None = None,
        email: str | None = None,
        is_bot: bool = False,
    ) -> JSONDict:
        """Add (or replace) a workspace member; returns the stored user object."""
        real = real_name if real_name is not None else name
        tz_offset, tz_label = tz_info(tz)
        profile: JSONDict = {
            "real_name": real,
            "display_name": name,
            "real_name_normalized": real,
            "display_name_normalized": name,
            "team": self.team_id,
        }
        if email is not None:
            profile["email"] = email
        user: JSONDict = {
            "id": user_id,
            "team_id": self.team_id,
            "name": name,
            "deleted": False,
            "real_name": real,
            "tz": tz,
            "tz_label": tz_label,
            "tz_offset": tz_offset,
            "profile": profile,
            "is_admin": False,
            "is_owner": False,
            "is_primary_owner": False,
            "is_restricted": False,
            "is_ultra_restricted": False,
            "is_bot": is_bot,
            "is_app_user": False,
            "updated": int(time.time()),
        }
        self.users[user_id] = user
        return user

    def add_channel(
        self, channel_id: str, name: str, *, bot_member: bool = False, private: bool = False
    ) -> JSONDict:
        """Add a channel. Like a new channel in a real workspace, the bot is not in it unless
        ``bot_member`` (or ``join``): without ``chat:write.public`` its posts there answer
        ``not_in_channel`` (https://api.slack.com/methods/chat.postMessage, "not_in_channel"), and
        a private channel it is not in is invisible to it (``channel_not_found``,
        https://api.slack.com/methods/conversations.info)."""
        channel: JSONDict = {
            "id": channel_id,
            "name": name,
            "is_channel": True,
            "is_im": False,
            "is_mpim": False,
            "is_group": private,
            "is_private": private,
            "is_archived": False,
            "is_general": name == "general",
            "is_member": bot_member,
            "created": int(time.time()),
            "creator": "",
            "name_normalized": name,
        }
        self.channels[channel_id] = channel
        self.messages.setdefault(channel_id, [])
        return channel

    def join(self, channel_id: str) -> None:
        """The bot is invited to (or joins) a channel (``/invite @bot``)."""
        self.channels[channel_id]["is_member"] = True

    def leave(self, channel_id: str) -> None:
        self.channels[channel_id]["is_member"] = False

    def visible(self, channel_id: str) -> bool:
        """Whether the bot can see the channel at all (a private one only when it is a member)."""
        info = self.channels.get(channel_id)
        if info is None:
            return False
        return not info.get("is_private") or bool(info.get("is_member"))

    def check_member(self, channel_id: str) -> None:
        """Refuse a bot post into a channel it is not in (DMs are always open to it)."""
        info = self.channels.get(channel_id, {})
        if info.get("is_im") or info.get("is_mpim"):
            return
        if not info.get("is_member", False):
            raise ApiError("not_in_channel")

    def add_usergroup(self, usergroup_id: str, user_ids: list[str]) -> None:
        self.usergroups[usergroup_id] = list(user_ids)

    def add_user_message(self, channel: str, user_id: str, text: str, *, thread_ts: str | None = None) -> str:
        """Simulate a human posting in a channel (no event is sent); returns the ts."""
        channel_id = self._resolve_channel(channel)
        ts = self._next_ts()
        msg: JSONDict = {"type": "message", "user": user_id, "text": text, "ts": ts, "team": self.team_id}
        if thread_ts:
            msg["thread_ts"] = thread_ts
        self.messages.setdefault(channel_id, []).append(msg)
        return ts

    def issue_trigger_id(self, user_id: str) -> str:
        """A trigger id as Slack puts in interaction payloads: single use, valid 3 seconds."""
        self._trigger_seq += 1
        trigger_id = (
            f"{int(time.time() * 1000)}{self._trigger_seq:03d}.{self._team_number()}."
            f"{self._rng.getrandbits(128):032x}"
        )
        self._triggers[trigger_id] = Trigger(user_id=user_id, issued_at=self.clock())
        return trigger_id

    # ------------------------------------------------------------------ inspection

    def messages_in(self, channel: str) -> list[JSONDict]:
        """Messages in a channel, oldest first; each a copy with a ``channel`` key added."""
        return [{**msg, "channel": channel} for msg in self.messages.get(channel, [])]

    def dms_to(self, user_id: str) -> list[JSONDict]:
        return self.messages_in(self.im_channel_id(user_id))

    def find_message(self, channel: str, ts: str) -> JSONDict | None:
        for msg in self.messages.get(channel, []):
            if msg.get("ts") == ts:
                return msg
        return None

    def last_view_for(self, user_id: str) -> JSONDict | None:
        """The modal most recently opened/updated/pushed for the user, if still open."""
        view_id = self._last_view.get(user_id)
        if view_id is not None and view_id in self.views:
            return self.views[view_id]
        stack = self.modal_stacks.get(user_id) or []
        return self.views.get(stack[-1]) if stack else None

    def files_in(self, channel: str) -> list[JSONDict]:
        """Files shared into a channel (or DM channel id), oldest first, with their bytes."""
        return [f for f in self.files if channel in f.get("shared_to", [])]

    def calls_to(self, method: str) -> list[JSONDict]:
        return [params for name, params in self.calls if name == method]

    @staticmethod
    def im_channel_id(user_id: str) -> str:
        return f"D{user_id}"

    # ------------------------------------------------------------------ HTTP layer

    @contextlib.asynccontextmanager
    async def serve(self, host: str = "127.0.0.1", port: int = 0) -> AsyncIterator[str]:
        """Serve the Web API and, beside it, the Socket Mode WebSocket (``socket_mode``)."""
        async with self.socket_mode.serve(host), super().serve(host, port) as url:
            yield url

    def _answer(self, request: Request, method: str, params: JSONDict) -> Response:
        if method != "apps.connections.open":
            return super()._answer(request, method, params)
        # The one method that takes an app-level token instead of the bot token.
        scheme, _, value = request.headers.get("authorization", "").partition(" ")
        token = value.strip() if scheme.lower() == "bearer" else str(params.get("token") or "")
        try:
            return json_response(connections_open(self.socket_mode, self.bot_token, token))
        except ApiError as exc:
            return json_response({"ok": False, "error": exc.error})

    async def _handle_response_url(self, request: Request) -> Response:
        return await responses.handle_response_url(self, request)

    async def _handle_upload(self, request: Request) -> Response:
        return await files.handle_upload(self, request)

    # ------------------------------------------------------------------ internals

    def _team_number(self) -> int:
        return int(hashlib.sha1(self.team_id.encode(), usedforsecurity=False).hexdigest()[:8], 16)

    def _next_ts(self) -> str:
        now_us = int(time.time() * 1_000_000)
        self._last_ts_us = max(now_us, self._last_ts_us + 1)
        return f"{self._last_ts_us // 1_000_000}.{self._last_ts_us % 1_000_000:06d}"

    def _ensure_im(self, user_id: str) -> str:
        channel_id = self.im_channel_id(user_id)
        if channel_id not in self.channels:
            self.channels[channel_id] = {
                "id": channel_id,
                "name": channel_id,
                "created": int(time.time()),
                "is_im": True,
                "is_org_shared": False,
                "user": user_id,
                "is_user_deleted": False,
                "priority": 0,
            }
            self.messages.setdefault(channel_id, [])
        return channel_id

    def _resolve_channel(self, channel: str) -> str:
        if channel in self.channels:
            if not self.visible(channel):
                raise ApiError("channel_not_found")
            return channel
        if channel in self.users:  # Slack delivers a post to a user id into the bot's DM with them
            return self._ensure_im(channel)
        name = channel.removeprefix("#")
        for cid, info in self.channels.items():
            if not info.get("is_im") and info.get("name") == name:
                return cid
        raise ApiError("channel_not_found")

    def _message_content(self, params: JSONDict) -> tuple[str, list[JSONDict]]:
        text = params.get("text")
        has_blocks = params.get("blocks") not in (None, "", [])
        has_attachments = params.get("attachments") not in (None, "", [])
        if (text is None or str(text) == "") and not has_blocks and not has_attachments:
            raise ApiError("no_text")
        text_s = "" if text is None else str(text)
        if len(text_s) > MAX_TEXT_LEN:
            raise ApiError("msg_too_long")
        blocks = blockkit.normalize_blocks(params.get("blocks"), self._rng)
        return text_s, blocks

    def _store_bot_message(
        self,
        channel_id: str,
        text: str,
        blocks: list[JSONDict],
        metadata: JSONDict | None,
        thread_ts: Any,
    ) -> JSONDict:
        ts = self._next_ts()
        msg: JSONDict = {
            "type": "message",
            "ts": ts,
            "text": text,
            "blocks": blocks,
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "app_id": self.app_id,
            "team": self.team_id,
        }
        if metadata is not None:
            msg["metadata"] = metadata
        if thread_ts:
            msg["thread_ts"] = str(thread_ts)
            parent = self.find_message(channel_id, str(thread_ts))
            if parent is not None:
                parent["thread_ts"] = parent["ts"]
                parent["reply_count"] = int(parent.get("reply_count", 0)) + 1
                parent["latest_reply"] = ts
        self.messages.setdefault(channel_id, []).append(msg)
        return msg

    def _check_trigger(self, trigger_id: str) -> Trigger:
        trigger = self._triggers.get(trigger_id)
        if trigger is None:
            raise ApiError("invalid_trigger_id")
        if trigger.used or self.clock() - trigger.issued_at > TRIGGER_TTL_SECONDS:
            raise ApiError("expired_trigger_id")
        return trigger
