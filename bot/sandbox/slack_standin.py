"""A local, real-HTTP stand-in for Slack's Web API, and an actor playing Slack toward the bot.

``SlackStandIn`` serves ``/api/<method>`` like ``https://slack.com/api/<method>``: the same
payload shapes, ``ok``/``error`` envelopes, auth errors, per-channel rate limits (HTTP 429 +
``Retry-After``) and outages. It is not a mock: unknown methods, missing arguments, bad
tokens, expired trigger ids and invalid views fail the way Slack fails. Every call is
recorded in ``calls`` so tests can assert what the bot sent.

``SlackActor`` plays the platform side: it sends signed slash commands, button clicks,
view submissions and Events API callbacks to the bot's ``/slack/events`` endpoint, in the
shapes Slack uses, and applies the bot's answers (e.g. ``response_action``) to the stand-in.
"""

from __future__ import annotations

import base64
import contextlib
import copy
import datetime as dt
import hashlib
import hmac
import json
import math
import random
import string
import time
import urllib.parse
import zoneinfo
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from bot.sandbox.faults import Faults, Hang, Storm, StormStatus
from bot.sandbox.http import serve_asgi

__all__ = ["SlackActor", "SlackStandIn", "ViewInput"]

JSONDict = dict[str, Any]

_JSON_CT = "application/json; charset=utf-8"
_TRIGGER_TTL_SECONDS = 3.0
_RESPONSE_URL_MAX_USES = 5
_MAX_MESSAGE_BLOCKS = 50
_MAX_VIEW_BLOCKS = 100
_MAX_TEXT_LEN = 40_000
_MAX_VIEW_STACK = 3
_MAX_UPLOAD_BYTES = 1024 * 1024 * 1024
_SELECT_TYPES = frozenset({"static_select", "external_select", "radio_buttons", "overflow"})
_MULTI_SELECT_TYPES = frozenset({"multi_static_select", "multi_external_select", "checkboxes"})


class _ApiError(Exception):
    """A Slack ``ok: false`` answer (HTTP 200)."""

    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.extra = extra


class _RateLimited(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"ratelimited, retry after {retry_after}s")
        self.retry_after = retry_after


@dataclass
class _Bucket:
    tokens: float
    updated: float


@dataclass
class _Trigger:
    user_id: str
    issued_at: float
    used: bool = False


@dataclass
class _ResponseUrl:
    url_id: int
    channel: str | None
    ts: str | None
    user: str | None
    uses: int = 0


@dataclass
class _ForcedFailure:
    method: str
    times: int
    status: int
    retry_after: int
    error: str | None


class ViewInput(NamedTuple):
    """One input of a modal, as a human filling it in would see it."""

    block_id: str
    action_id: str
    element_type: str
    label: str
    optional: bool


def _invalid_arguments(messages: list[str]) -> _ApiError:
    return _ApiError("invalid_arguments", response_metadata={"messages": messages})


def _json_response(body: JSONDict, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        content=json.dumps(body, ensure_ascii=False).encode("utf-8"),
        status_code=status,
        media_type=_JSON_CT,
        headers=headers,
    )


def _truthy(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    return str(value).strip().lower() in {"1", "true", "yes"}


def _plain_text(obj: Any) -> str:
    if isinstance(obj, dict):
        return str(obj.get("text", ""))
    return "" if obj is None else str(obj)


def _ts_to_float(ts: Any) -> float | None:
    try:
        return float(str(ts))
    except (TypeError, ValueError):
        return None


@dataclass(eq=False)
class SlackStandIn:
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
        self._buckets: dict[str, _Bucket] = {}
        self._triggers: dict[str, _Trigger] = {}
        self._trigger_seq = 0
        self._response_urls: dict[int, _ResponseUrl] = {}
        self._response_seq = 0
        self._view_seq = 0
        self._last_ts_us = 0
        self._failures: list[_ForcedFailure] = []
        self._uploads: dict[str, JSONDict] = {}
        self._last_view: dict[str, str] = {}
        self.faults = Faults(self.clock)
        self._handlers: dict[str, Callable[[JSONDict], JSONDict]] = {
            "api.test": self._api_test,
            "auth.test": self._auth_test,
            "chat.postMessage": self._chat_post_message,
            "chat.update": self._chat_update,
            "chat.delete": self._chat_delete,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "conversations.open": self._conversations_open,
            "conversations.info": self._conversations_info,
            "conversations.history": self._conversations_history,
            "conversations.replies": self._conversations_replies,
            "views.open": self._views_open,
            "views.update": self._views_update,
            "views.push": self._views_push,
            "views.publish": self._views_publish,
            "users.info": self._users_info,
            "usergroups.users.list": self._usergroups_users_list,
            "files.getUploadURLExternal": self._files_get_upload_url_external,
            "files.completeUploadExternal": self._files_complete_upload_external,
        }
        self._app = Starlette(
            routes=[
                Route("/api/{method:path}", self._handle_api, methods=["GET", "POST"]),
                Route("/_standin/response/{url_id}", self._handle_response_url, methods=["POST"]),
                Route("/_standin/upload/{file_id}", self._handle_upload, methods=["POST"]),
            ]
        )

    # ------------------------------------------------------------------ serving

    @property
    def app(self) -> Starlette:
        return self._app

    @contextlib.asynccontextmanager
    async def serve(self, host: str = "127.0.0.1", port: int = 0) -> AsyncIterator[str]:
        """Serve the stand-in and set ``base_url``; yields the base URL."""
        async with serve_asgi(self._app, host, port) as url:
            self.base_url = url
            yield url

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
        tz_offset, tz_label = _tz_info(tz)
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

    def add_channel(self, channel_id: str, name: str) -> JSONDict:
        channel: JSONDict = {
            "id": channel_id,
            "name": name,
            "is_channel": True,
            "is_group": False,
            "is_im": False,
            "is_mpim": False,
            "is_private": False,
            "is_archived": False,
            "is_general": name == "general",
            "is_member": True,
            "created": int(time.time()),
            "creator": "",
            "name_normalized": name,
        }
        self.channels[channel_id] = channel
        self.messages.setdefault(channel_id, [])
        return channel

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
        self._triggers[trigger_id] = _Trigger(user_id=user_id, issued_at=self.clock())
        return trigger_id

    def make_response_url(
        self, channel: str | None = None, ts: str | None = None, user: str | None = None
    ) -> str:
        """A response URL; tie it to a message (``channel``, ``ts``) for replace/delete_original."""
        if not self.base_url:
            raise RuntimeError("SlackStandIn.base_url is not set (use `async with standin.serve()`)")
        self._response_seq += 1
        self._response_urls[self._response_seq] = _ResponseUrl(self._response_seq, channel, ts, user)
        return f"{self.base_url}/_standin/response/{self._response_seq}"

    def fail_next(
        self, method: str, times: int = 1, status: int = 429, retry_after: int = 2, error: str | None = None
    ) -> None:
        """Force the next ``times`` calls of ``method`` to fail.

        429 -> ``ratelimited`` with ``Retry-After``; 200 -> ``ok: false`` with ``error``
        (default ``fatal_error``); other statuses -> that status with a plain-text body, or a
        JSON ``ok: false`` body if ``error`` is given.
        """
        self._failures.append(_ForcedFailure(method, times, status, retry_after, error))

    def storm(
        self,
        status: StormStatus,
        seconds: float,
        methods: list[str] | None = None,
        retry_after: int = 1,
        hang_seconds: float = 5.0,
    ) -> Storm:
        """For ``seconds`` (of ``clock``), every call of ``methods`` (default: all) fails: 429 with
        ``Retry-After``, another HTTP status with a plain-text body, or ``"hang"`` (held for
        ``hang_seconds``, then 504, with no effect)."""
        return self.faults.storm(
            status, seconds, methods=methods, retry_after=retry_after, hang_seconds=hang_seconds
        )

    def hang_next(self, method: str, times: int = 1, seconds: float = 5.0, after_effect: bool = True) -> Hang:
        """Hold the answer to the next ``times`` calls of ``method`` for ``seconds``; with
        ``after_effect`` the call takes effect first (only its answer is late)."""
        return self.faults.hang_next(method, "", times, seconds, after_effect)

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

    # ------------------------------------------------------------------ platform-side view ops

    def remove_view(self, view_id: str) -> None:
        """Close one view (what Slack does after an empty ``view_submission`` ack)."""
        view = self.views.pop(view_id, None)
        if view is None:
            return
        self.closed_views[view_id] = view
        owner = self.view_owners.get(view_id)
        if owner is not None:
            stack = self.modal_stacks.get(owner, [])
            if view_id in stack:
                stack.remove(view_id)

    def clear_views(self, user_id: str) -> None:
        """Close the user's whole modal stack (``response_action: clear``)."""
        for view_id in list(self.modal_stacks.get(user_id, [])):
            self.remove_view(view_id)
        self.modal_stacks[user_id] = []

    def apply_view_update(self, view_id: str, spec: Any) -> JSONDict:
        """Replace a view's content (``views.update`` / ``response_action: update``)."""
        existing = self.views.get(view_id)
        if existing is None:
            raise _ApiError("not_found")
        parsed = self._validate_view(spec, {str(existing["type"])})
        view = self._build_view(
            parsed,
            view_id=view_id,
            root_view_id=existing.get("root_view_id"),
            previous_view_id=existing.get("previous_view_id"),
        )
        if not parsed.get("external_id"):
            view["external_id"] = existing.get("external_id", "")
        self.views[view_id] = view
        owner = self.view_owners.get(view_id)
        if owner is not None:
            if view["type"] == "home":
                self.home_tabs[owner] = view
            else:
                self._last_view[owner] = view_id
        return view

    def apply_view_push(self, user_id: str, spec: Any) -> JSONDict:
        """Push a modal on the user's stack (``views.push`` / ``response_action: push``)."""
        parsed = self._validate_view(spec, {"modal"})
        stack = self.modal_stacks.setdefault(user_id, [])
        if len(stack) >= _MAX_VIEW_STACK:
            raise _ApiError("push_limit_reached")
        if not stack:
            return self._open_modal(user_id, parsed)
        root = self.views[stack[0]]
        view = self._build_view(
            parsed, view_id=self._new_view_id(), root_view_id=root["id"], previous_view_id=stack[-1]
        )
        self._register_view(user_id, view)
        stack.append(view["id"])
        return view

    # ------------------------------------------------------------------ HTTP layer

    async def _handle_api(self, request: Request) -> Response:
        method = request.path_params["method"]
        try:
            params = await _read_params(request)
        except _ApiError as exc:
            self.calls.append((method, {}))
            return _json_response({"ok": False, "error": exc.error})
        self.calls.append((method, params))
        if self.down:
            return PlainTextResponse(
                "Service Unavailable: Slack is having trouble right now.", status_code=503
            )
        storm = self.faults.storming(method)
        if storm is not None:
            return await self._storm_response(storm)
        forced = self._take_forced_failure(method)
        if forced is not None:
            return forced
        hang = self.faults.take_hang(method)
        if hang is not None and not hang.after_effect:
            await self.faults.hold(hang.seconds)
            return PlainTextResponse("Gateway Timeout (held by SlackStandIn)", status_code=504)
        response = self._answer(request, method, params)
        if hang is not None:
            await self.faults.hold(hang.seconds)
        return response

    async def _storm_response(self, storm: Storm) -> Response:
        if storm.status == "hang":
            await self.faults.hold(storm.hang_seconds)
            return PlainTextResponse("Gateway Timeout (storm by SlackStandIn)", status_code=504)
        if storm.status == 429:
            self.rate_limited += 1
            return _json_response(
                {"ok": False, "error": "ratelimited"},
                status=429,
                headers={"Retry-After": str(storm.retry_after)},
            )
        return PlainTextResponse(f"HTTP {storm.status} (storm by SlackStandIn)", storm.status)

    def _answer(self, request: Request, method: str, params: JSONDict) -> Response:
        handler = self._handlers.get(method)
        if handler is None:
            return _json_response({"ok": False, "error": "unknown_method", "req_method": method})
        auth_error = self._check_auth(request, params)
        if auth_error is not None:
            return _json_response({"ok": False, "error": auth_error})
        try:
            body = handler(params)
        except _ApiError as exc:
            return _json_response({"ok": False, "error": exc.error, **exc.extra})
        except _RateLimited as exc:
            self.rate_limited += 1
            return _json_response(
                {"ok": False, "error": "ratelimited"},
                status=429,
                headers={"Retry-After": str(exc.retry_after)},
            )
        return _json_response(body)

    def _check_auth(self, request: Request, params: JSONDict) -> str | None:
        header = request.headers.get("authorization")
        token: str | None = None
        if header:
            scheme, _, value = header.partition(" ")
            token = value.strip() if scheme.lower() == "bearer" else ""
        elif params.get("token"):
            token = str(params["token"])
        if token is None:
            return "not_authed"
        if not hmac.compare_digest(token.encode(), self.bot_token.encode()):
            return "invalid_auth"
        return None

    def _take_forced_failure(self, method: str) -> Response | None:
        for failure in self._failures:
            if failure.method == method and failure.times > 0:
                failure.times -= 1
                if failure.status == 429:
                    self.rate_limited += 1
                    return _json_response(
                        {"ok": False, "error": "ratelimited"},
                        status=429,
                        headers={"Retry-After": str(failure.retry_after)},
                    )
                if failure.status == 200 or failure.error is not None:
                    return _json_response(
                        {"ok": False, "error": failure.error or "fatal_error"}, status=failure.status
                    )
                return PlainTextResponse(f"HTTP {failure.status} (forced by SlackStandIn)", failure.status)
        return None

    async def _handle_response_url(self, request: Request) -> Response:
        if self.down:
            return PlainTextResponse("Service Unavailable", status_code=503)
        try:
            url_id = int(request.path_params["url_id"])
        except ValueError:
            return PlainTextResponse("no_active_hooks", status_code=404)
        entry = self._response_urls.get(url_id)
        if entry is None:
            return PlainTextResponse("no_active_hooks", status_code=404)
        if entry.uses >= _RESPONSE_URL_MAX_USES:
            return PlainTextResponse("used_url", status_code=404)
        raw = await request.body()
        try:
            body = _parse_response_body(request.headers.get("content-type", ""), raw)
        except ValueError:
            return PlainTextResponse("invalid_payload", status_code=400)
        entry.uses += 1
        record = dict(body)
        record["url_id"] = url_id
        self.responses.append(record)
        try:
            self._apply_response(entry, body)
        except _ApiError as exc:
            return PlainTextResponse(exc.error, status_code=400)
        return PlainTextResponse("ok")

    def _apply_response(self, entry: _ResponseUrl, body: JSONDict) -> None:
        target: JSONDict | None = None
        if entry.channel is not None and entry.ts is not None:
            target = self.find_message(entry.channel, entry.ts) or self._find_ephemeral(
                entry.channel, entry.ts
            )
        has_content = "text" in body or "blocks" in body
        if _truthy(body.get("delete_original")):
            if target is not None and entry.channel is not None:
                msgs = self.messages.get(entry.channel, [])
                if target in msgs:
                    msgs.remove(target)
                elif target in self.ephemerals:
                    self.ephemerals.remove(target)
            return
        if not has_content:
            raise _ApiError("no_text")
        blocks = _normalize_blocks(body.get("blocks"), self._rng)
        text = str(body.get("text", ""))
        if _truthy(body.get("replace_original")) and target is not None:
            target["text"] = text
            target["blocks"] = blocks
            return
        if body.get("response_type") == "in_channel" and entry.channel is not None:
            channel_id = self._resolve_channel(entry.channel)
            self._store_bot_message(channel_id, text, blocks, None, body.get("thread_ts"))
            return
        self.ephemerals.append(
            {
                "channel": entry.channel,
                "user": entry.user,
                "text": text,
                "blocks": blocks,
                "message_ts": self._next_ts(),
                "source": "response_url",
            }
        )

    # ------------------------------------------------------------------ Web API methods

    def _api_test(self, params: JSONDict) -> JSONDict:
        return {"ok": True, "args": {k: v for k, v in params.items() if k != "token"}}

    def _auth_test(self, params: JSONDict) -> JSONDict:
        return {
            "ok": True,
            "url": f"https://{self.team_domain}.slack.com/",
            "team": self.team_name,
            "user": "ambassador",
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _chat_post_message(self, params: JSONDict) -> JSONDict:
        channel = params.get("channel")
        if not channel:
            raise _ApiError("channel_not_found")
        channel_id = self._resolve_channel(str(channel))
        self._take_post_token(channel_id)
        text, blocks = self._message_content(params)
        metadata = _parse_metadata(params.get("metadata"))
        thread_ts = params.get("thread_ts") or None
        msg = self._store_bot_message(channel_id, text, blocks, metadata, thread_ts)
        return {"ok": True, "channel": channel_id, "ts": msg["ts"], "message": copy.deepcopy(msg)}

    def _chat_update(self, params: JSONDict) -> JSONDict:
        channel = params.get("channel")
        ts = params.get("ts")
        if not channel:
            raise _ApiError("channel_not_found")
        if not ts:
            raise _ApiError("message_not_found")
        channel_id = self._resolve_channel(str(channel))
        msg = self.find_message(channel_id, str(ts))
        if msg is None:
            raise _ApiError("message_not_found")
        if msg.get("user") != self.bot_user_id:
            raise _ApiError("cant_update_message")
        if "text" not in params and "blocks" not in params and "attachments" not in params:
            raise _ApiError("no_text")
        if "text" in params:
            msg["text"] = str(params.get("text") or "")
            if len(msg["text"]) > _MAX_TEXT_LEN:
                raise _ApiError("msg_too_long")
        if "blocks" in params:
            msg["blocks"] = _normalize_blocks(params.get("blocks"), self._rng)
        if params.get("metadata"):
            meta = _parse_metadata(params.get("metadata"))
            if meta is not None:
                msg["metadata"] = meta
        msg["edited"] = {"user": self.bot_user_id, "ts": self._next_ts()}
        return {
            "ok": True,
            "channel": channel_id,
            "ts": msg["ts"],
            "text": msg.get("text", ""),
            "message": copy.deepcopy(msg),
        }

    def _chat_delete(self, params: JSONDict) -> JSONDict:
        channel = params.get("channel")
        ts = params.get("ts")
        if not channel:
            raise _ApiError("channel_not_found")
        channel_id = self._resolve_channel(str(channel))
        msg = self.find_message(channel_id, str(ts or ""))
        if msg is None:
            raise _ApiError("message_not_found")
        if msg.get("user") != self.bot_user_id:
            raise _ApiError("cant_delete_message")
        self.messages[channel_id].remove(msg)
        return {"ok": True, "channel": channel_id, "ts": msg["ts"]}

    def _chat_post_ephemeral(self, params: JSONDict) -> JSONDict:
        channel = params.get("channel")
        user = params.get("user")
        if not channel:
            raise _ApiError("channel_not_found")
        channel_id = self._resolve_channel(str(channel))
        if not user or str(user) not in self.users:
            raise _ApiError("user_not_in_channel")
        text, blocks = self._message_content(params)
        message_ts = self._next_ts()
        self.ephemerals.append(
            {
                "channel": channel_id,
                "user": str(user),
                "text": text,
                "blocks": blocks,
                "message_ts": message_ts,
                "thread_ts": params.get("thread_ts"),
                "source": "chat.postEphemeral",
            }
        )
        return {"ok": True, "message_ts": message_ts}

    def _conversations_open(self, params: JSONDict) -> JSONDict:
        users = params.get("users")
        if not users:
            if params.get("channel"):
                channel_id = str(params["channel"])
                if channel_id not in self.channels:
                    raise _ApiError("channel_not_found")
                return {"ok": True, "no_op": True, "already_open": True, "channel": {"id": channel_id}}
            raise _ApiError("users_list_not_supplied")
        if isinstance(users, list):
            user_ids = [str(u).strip() for u in users if str(u).strip()]
        else:
            user_ids = [u.strip() for u in str(users).split(",") if u.strip()]
        if not user_ids:
            raise _ApiError("users_list_not_supplied")
        for uid in user_ids:
            if uid not in self.users:
                raise _ApiError("user_not_found")
        if len(user_ids) > 8:
            raise _ApiError("too_many_users")
        if len(user_ids) == 1:
            channel_id = self.im_channel_id(user_ids[0])
            existed = channel_id in self.channels
            self._ensure_im(user_ids[0])
        else:
            digest = hashlib.sha1(",".join(sorted(user_ids)).encode(), usedforsecurity=False).hexdigest()
            channel_id = "G" + digest[:10].upper()
            existed = channel_id in self.channels
            if not existed:
                self.channels[channel_id] = {
                    "id": channel_id,
                    "name": "mpdm-" + "--".join(self.users[u]["name"] for u in user_ids) + "-1",
                    "is_im": False,
                    "is_mpim": True,
                    "members": user_ids,
                }
                self.messages.setdefault(channel_id, [])
        body: JSONDict = {"ok": True, "channel": {"id": channel_id}}
        if existed:
            body["no_op"] = True
            body["already_open"] = True
        if _truthy(params.get("return_im")):
            body["channel"] = dict(self.channels[channel_id])
        return body

    def _conversations_info(self, params: JSONDict) -> JSONDict:
        channel = params.get("channel")
        if not channel or str(channel) not in self.channels:
            raise _ApiError("channel_not_found")
        return {"ok": True, "channel": dict(self.channels[str(channel)])}

    def _conversations_history(self, params: JSONDict) -> JSONDict:
        channel = params.get("channel")
        if not channel or str(channel) not in self.channels:
            raise _ApiError("channel_not_found")
        channel_id = str(channel)
        msgs = [
            m
            for m in self.messages.get(channel_id, [])
            if not m.get("thread_ts") or m.get("thread_ts") == m.get("ts")
        ]
        return self._paginate(msgs, params)

    def _conversations_replies(self, params: JSONDict) -> JSONDict:
        channel = params.get("channel")
        ts = params.get("ts")
        if not channel or str(channel) not in self.channels:
            raise _ApiError("channel_not_found")
        if not ts:
            raise _ApiError("invalid_arguments")
        parent = self.find_message(str(channel), str(ts))
        if parent is None:
            raise _ApiError("thread_not_found")
        thread = [parent] + [
            m for m in self.messages[str(channel)] if m.get("thread_ts") == str(ts) and m is not parent
        ]
        body = self._paginate(thread, params, newest_first=False)
        return body

    def _paginate(self, msgs: list[JSONDict], params: JSONDict, *, newest_first: bool = True) -> JSONDict:
        try:
            limit = int(params.get("limit") or 100)
        except (TypeError, ValueError) as exc:
            raise _ApiError("invalid_limit") from exc
        limit = max(1, min(limit, 999))
        inclusive = _truthy(params.get("inclusive"))
        oldest = _ts_to_float(params.get("oldest")) if params.get("oldest") not in (None, "") else None
        latest = _ts_to_float(params.get("latest")) if params.get("latest") not in (None, "") else None
        selected: list[JSONDict] = []
        for msg in msgs:
            ts = float(msg["ts"])
            if oldest is not None and (ts < oldest or (ts == oldest and not inclusive)):
                continue
            if latest is not None and (ts > latest or (ts == latest and not inclusive)):
                continue
            selected.append(msg)
        selected.sort(key=lambda m: float(m["ts"]), reverse=newest_first)
        cursor = params.get("cursor")
        start = 0
        if cursor:
            try:
                start = int(base64.b64decode(str(cursor)).decode().removeprefix("offset:"))
            except (ValueError, UnicodeDecodeError) as exc:
                raise _ApiError("invalid_cursor") from exc
        page = selected[start : start + limit]
        has_more = start + limit < len(selected)
        with_metadata = _truthy(params.get("include_all_metadata"))
        out: list[JSONDict] = []
        for msg in page:
            item = copy.deepcopy(msg)
            if not with_metadata:
                item.pop("metadata", None)
            out.append(item)
        next_cursor = base64.b64encode(f"offset:{start + limit}".encode()).decode() if has_more else ""
        return {
            "ok": True,
            "messages": out,
            "has_more": has_more,
            "pin_count": 0,
            "channel_actions_ts": None,
            "channel_actions_count": 0,
            "response_metadata": {"next_cursor": next_cursor},
        }

    def _views_open(self, params: JSONDict) -> JSONDict:
        trigger_id = params.get("trigger_id")
        if not trigger_id:
            raise _invalid_arguments(["[ERROR] missing required field: trigger_id"])
        if params.get("view") in (None, ""):
            raise _invalid_arguments(["[ERROR] missing required field: view"])
        trigger = self._check_trigger(str(trigger_id))
        parsed = self._validate_view(params.get("view"), {"modal"})
        trigger.used = True
        view = self._open_modal(trigger.user_id, parsed)
        return {"ok": True, "view": copy.deepcopy(view)}

    def _views_push(self, params: JSONDict) -> JSONDict:
        trigger_id = params.get("trigger_id")
        if not trigger_id or params.get("view") in (None, ""):
            raise _invalid_arguments(["[ERROR] missing required field"])
        trigger = self._check_trigger(str(trigger_id))
        self._validate_view(params.get("view"), {"modal"})
        if len(self.modal_stacks.get(trigger.user_id, [])) >= _MAX_VIEW_STACK:
            raise _ApiError("push_limit_reached")
        trigger.used = True
        view = self.apply_view_push(trigger.user_id, params.get("view"))
        return {"ok": True, "view": copy.deepcopy(view)}

    def _views_update(self, params: JSONDict) -> JSONDict:
        view_id = params.get("view_id")
        external_id = params.get("external_id")
        if not view_id and not external_id:
            raise _ApiError(
                "invalid_arguments",
                response_metadata={"messages": ["[ERROR] either view_id or external_id is required"]},
            )
        if params.get("view") in (None, ""):
            raise _invalid_arguments(["[ERROR] missing required field: view"])
        target: str | None = None
        if view_id:
            target = str(view_id) if str(view_id) in self.views else None
        else:
            for vid, view in self.views.items():
                if view.get("external_id") == external_id:
                    target = vid
                    break
        if target is None:
            raise _ApiError("not_found")
        expected_hash = params.get("hash")
        if expected_hash and expected_hash != self.views[target].get("hash"):
            raise _ApiError("hash_conflict")
        view = self.apply_view_update(target, params.get("view"))
        return {"ok": True, "view": copy.deepcopy(view)}

    def _views_publish(self, params: JSONDict) -> JSONDict:
        user_id = params.get("user_id")
        if not user_id:
            raise _invalid_arguments(["[ERROR] missing required field: user_id"])
        if params.get("view") in (None, ""):
            raise _invalid_arguments(["[ERROR] missing required field: view"])
        user_id = str(user_id)
        if user_id not in self.users:
            raise _ApiError("user_not_found")
        parsed = self._validate_view(params.get("view"), {"home"})
        existing = self.home_tabs.get(user_id)
        expected_hash = params.get("hash")
        if existing is not None and expected_hash and expected_hash != existing.get("hash"):
            raise _ApiError("hash_conflict")
        view_id = existing["id"] if existing is not None else self._new_view_id()
        view = self._build_view(parsed, view_id=view_id, root_view_id=view_id, previous_view_id=None)
        self.home_tabs[user_id] = view
        self.views[view_id] = view
        self.view_owners[view_id] = user_id
        return {"ok": True, "view": copy.deepcopy(view)}

    def _users_info(self, params: JSONDict) -> JSONDict:
        user_id = params.get("user")
        if not user_id or str(user_id) not in self.users:
            raise _ApiError("user_not_found")
        user = copy.deepcopy(self.users[str(user_id)])
        if _truthy(params.get("include_locale")):
            user["locale"] = "en-US"
        return {"ok": True, "user": user}

    def _usergroups_users_list(self, params: JSONDict) -> JSONDict:
        group = params.get("usergroup")
        if not group or str(group) not in self.usergroups:
            raise _ApiError("no_such_subteam")
        return {"ok": True, "users": list(self.usergroups[str(group)])}

    def _files_get_upload_url_external(self, params: JSONDict) -> JSONDict:
        filename = str(params.get("filename") or "")
        if not filename:
            raise _invalid_arguments(["[ERROR] missing required field: filename"])
        try:
            length = int(str(params.get("length")))
        except ValueError as exc:
            raise _invalid_arguments(["[ERROR] missing required field: length"]) from exc
        if length < 1 or length > _MAX_UPLOAD_BYTES:
            raise _ApiError("invalid_length")
        file_id = "F" + "".join(self._rng.choice(string.ascii_uppercase + string.digits) for _ in range(10))
        self._uploads[file_id] = {"filename": filename, "length": length, "content": None}
        if params.get("alt_txt"):
            self._uploads[file_id]["alt_txt"] = str(params["alt_txt"])
        return {"ok": True, "upload_url": f"{self.base_url}/_standin/upload/{file_id}", "file_id": file_id}

    async def _handle_upload(self, request: Request) -> Response:
        """The upload URL files.getUploadURLExternal hands out: takes the bytes (raw or multipart)."""
        if self.down:
            return PlainTextResponse("Service Unavailable", status_code=503)
        pending = self._uploads.get(request.path_params["file_id"])
        if pending is None:
            return PlainTextResponse("Not Found", status_code=404)
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type == "multipart/form-data":
            form = await request.form()
            item = form.get("file") or form.get("filename")
            content = await item.read() if item is not None and not isinstance(item, str) else b""
        else:
            content = await request.body()
        if len(content) != pending["length"]:
            return PlainTextResponse(
                f"length mismatch: announced {pending['length']}, received {len(content)}", status_code=400
            )
        pending["content"] = content
        return PlainTextResponse(f"OK - {len(content)}")

    def _files_complete_upload_external(self, params: JSONDict) -> JSONDict:
        raw = params.get("files")
        try:
            items = json.loads(raw) if isinstance(raw, str) else raw
        except ValueError as exc:
            raise _ApiError("invalid_json") from exc
        if not isinstance(items, list) or not items or not all(isinstance(i, dict) for i in items):
            raise _invalid_arguments(["[ERROR] missing required field: files"])
        targets: list[str] = []
        if params.get("channel_id"):
            targets.append(self._resolve_channel(str(params["channel_id"])))
        for name in str(params.get("channels") or "").split(","):
            if name.strip():
                targets.append(self._resolve_channel(name.strip()))
        shared: list[JSONDict] = []
        for item in items:
            pending = self._uploads.get(str(item.get("id")))
            if pending is None or pending["content"] is None:
                raise _ApiError("file_not_found")
        for item in items:
            file_id = str(item["id"])
            pending = self._uploads.pop(file_id)
            name = pending["filename"]
            file_obj: JSONDict = {
                "id": file_id,
                "created": int(time.time()),
                "name": name,
                "title": str(item.get("title") or name),
                "mimetype": _mimetype(name),
                "filetype": name.rsplit(".", 1)[-1].lower() if "." in name else "binary",
                "user": self.bot_user_id,
                "size": len(pending["content"]),
                "url_private": f"{self.base_url}/_standin/files/{file_id}/{name}",
                "permalink": f"https://{self.team_domain}.slack.com/files/{self.bot_user_id}/{file_id}/{name}",
                "channels": [t for t in targets if not t.startswith("D")],
                "ims": [t for t in targets if t.startswith("D")],
            }
            self.files.append({**file_obj, "content": pending["content"], "shared_to": list(targets)})
            shared.append(file_obj)
        for channel_id in targets:
            msg = self._store_bot_message(
                channel_id, str(params.get("initial_comment") or ""), [], None, params.get("thread_ts")
            )
            msg["files"] = copy.deepcopy(shared)
            msg["upload"] = True
        return {
            "ok": True,
            "files": [{"id": f["id"], "title": f["title"], "name": f["name"]} for f in shared],
        }

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
            return channel
        if channel in self.users:  # Slack delivers a post to a user id into the bot's DM with them
            return self._ensure_im(channel)
        name = channel.removeprefix("#")
        for cid, info in self.channels.items():
            if not info.get("is_im") and info.get("name") == name:
                return cid
        raise _ApiError("channel_not_found")

    def _refill(self, key: str, burst: int, rate: float, now: float) -> _Bucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = _Bucket(tokens=float(burst), updated=now)
            self._buckets[key] = bucket
        elapsed = max(0.0, now - bucket.updated)
        bucket.tokens = min(float(burst), bucket.tokens + elapsed * rate)
        bucket.updated = now
        return bucket

    def _take_post_token(self, channel_id: str) -> None:
        now = self.clock()
        bucket = self._refill(channel_id, self.post_burst, self.post_rate_per_second, now)
        waits = []
        if bucket.tokens < 1.0:
            waits.append((1.0 - bucket.tokens) / self.post_rate_per_second)
        workspace = None
        if self.workspace_rate_per_second:
            rate = self.workspace_rate_per_second
            workspace = self._refill("\x00workspace", self.workspace_burst, rate, now)
            if workspace.tokens < 1.0:
                waits.append((1.0 - workspace.tokens) / self.workspace_rate_per_second)
        if waits:  # refused: nothing is consumed
            raise _RateLimited(max(1, math.ceil(max(waits))))
        bucket.tokens -= 1.0
        if workspace is not None:
            workspace.tokens -= 1.0

    def _message_content(self, params: JSONDict) -> tuple[str, list[JSONDict]]:
        text = params.get("text")
        has_blocks = params.get("blocks") not in (None, "", [])
        has_attachments = params.get("attachments") not in (None, "", [])
        if (text is None or str(text) == "") and not has_blocks and not has_attachments:
            raise _ApiError("no_text")
        text_s = "" if text is None else str(text)
        if len(text_s) > _MAX_TEXT_LEN:
            raise _ApiError("msg_too_long")
        blocks = _normalize_blocks(params.get("blocks"), self._rng)
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

    def _find_ephemeral(self, channel: str, ts: str) -> JSONDict | None:
        for eph in self.ephemerals:
            if eph.get("channel") == channel and eph.get("message_ts") == ts:
                return eph
        return None

    def _check_trigger(self, trigger_id: str) -> _Trigger:
        trigger = self._triggers.get(trigger_id)
        if trigger is None:
            raise _ApiError("invalid_trigger_id")
        if trigger.used or self.clock() - trigger.issued_at > _TRIGGER_TTL_SECONDS:
            raise _ApiError("expired_trigger_id")
        return trigger

    def _new_view_id(self) -> str:
        self._view_seq += 1
        alphabet = string.ascii_uppercase + string.digits
        suffix = "".join(self._rng.choice(alphabet) for _ in range(6))
        return f"V{self._view_seq:04d}{suffix}"

    def _new_hash(self) -> str:
        alphabet = string.ascii_letters + string.digits
        return f"{int(time.time())}.{''.join(self._rng.choice(alphabet) for _ in range(8))}"

    def _validate_view(self, spec: Any, allowed_types: set[str]) -> JSONDict:
        if isinstance(spec, str):
            try:
                spec = json.loads(spec)
            except ValueError as exc:
                raise _ApiError(
                    "invalid_arguments", response_metadata={"messages": ["[ERROR] view is not valid JSON"]}
                ) from exc
        if not isinstance(spec, dict):
            raise _invalid_arguments(["[ERROR] view must be an object"])
        problems: list[str] = []
        vtype = spec.get("type")
        if vtype not in allowed_types:
            problems.append(f"[ERROR] must be one of {sorted(allowed_types)} [json-pointer:/view/type]")
        if vtype == "modal":
            title = spec.get("title")
            if not isinstance(title, dict) or title.get("type") != "plain_text" or not title.get("text"):
                problems.append("[ERROR] missing required field: title [json-pointer:/view/title]")
            elif len(str(title["text"])) > 24:
                problems.append("[ERROR] must be less than 25 characters [json-pointer:/view/title/text]")
            for key in ("submit", "close"):
                obj = spec.get(key)
                if obj is None:
                    continue
                if not isinstance(obj, dict) or obj.get("type") != "plain_text":
                    problems.append(f"[ERROR] must be a plain_text object [json-pointer:/view/{key}]")
                elif len(str(obj.get("text", ""))) > 24:
                    problems.append(
                        f"[ERROR] must be less than 25 characters [json-pointer:/view/{key}/text]"
                    )
        blocks = spec.get("blocks")
        if not isinstance(blocks, list):
            problems.append("[ERROR] missing required field: blocks [json-pointer:/view/blocks]")
            blocks = []
        elif len(blocks) > _MAX_VIEW_BLOCKS:
            problems.append("[ERROR] no more than 100 items allowed [json-pointer:/view/blocks]")
        seen_ids: set[str] = set()
        has_input = False
        for i, block in enumerate(blocks):
            if not isinstance(block, dict) or not isinstance(block.get("type"), str):
                problems.append(f"[ERROR] missing required field: type [json-pointer:/view/blocks/{i}]")
                continue
            block_id = block.get("block_id")
            if block_id is not None:
                if block_id in seen_ids:
                    problems.append(f"[ERROR] duplicate block_id [json-pointer:/view/blocks/{i}/block_id]")
                seen_ids.add(str(block_id))
                if len(str(block_id)) > 255:
                    problems.append(
                        f"[ERROR] must be less than 256 characters [json-pointer:/view/blocks/{i}/block_id]"
                    )
            if block["type"] == "input":
                has_input = True
                if not isinstance(block.get("label"), dict):
                    problems.append(
                        f"[ERROR] missing required field: label [json-pointer:/view/blocks/{i}/label]"
                    )
                if not isinstance(block.get("element"), dict) or not block["element"].get("type"):
                    problems.append(
                        f"[ERROR] missing required field: element [json-pointer:/view/blocks/{i}/element]"
                    )
        if vtype == "modal" and has_input and spec.get("submit") is None:
            problems.append(
                "[ERROR] submit is required when an input block is present [json-pointer:/view/submit]"
            )
        if len(str(spec.get("private_metadata") or "")) > 3000:
            problems.append("[ERROR] must be less than 3001 characters [json-pointer:/view/private_metadata]")
        if len(str(spec.get("callback_id") or "")) > 255:
            problems.append("[ERROR] must be less than 256 characters [json-pointer:/view/callback_id]")
        if problems:
            raise _ApiError("invalid_arguments", response_metadata={"messages": problems})
        return spec

    def _build_view(
        self, spec: JSONDict, *, view_id: str, root_view_id: Any, previous_view_id: Any
    ) -> JSONDict:
        blocks = _assign_ids(copy.deepcopy(spec.get("blocks") or []), self._rng)
        return {
            "id": view_id,
            "team_id": self.team_id,
            "type": spec["type"],
            "blocks": blocks,
            "private_metadata": str(spec.get("private_metadata") or ""),
            "callback_id": str(spec.get("callback_id") or ""),
            "state": {"values": {}},
            "hash": self._new_hash(),
            "title": copy.deepcopy(spec.get("title")),
            "clear_on_close": bool(spec.get("clear_on_close", False)),
            "notify_on_close": bool(spec.get("notify_on_close", False)),
            "close": copy.deepcopy(spec.get("close")),
            "submit": copy.deepcopy(spec.get("submit")),
            "previous_view_id": previous_view_id,
            "root_view_id": root_view_id if root_view_id is not None else view_id,
            "app_id": self.app_id,
            "external_id": str(spec.get("external_id") or ""),
            "app_installed_team_id": self.team_id,
            "bot_id": self.bot_id,
        }

    def _register_view(self, user_id: str, view: JSONDict) -> None:
        external_id = view.get("external_id")
        if external_id:
            for other in self.views.values():
                if other.get("external_id") == external_id and other["id"] != view["id"]:
                    raise _ApiError("duplicate_external_id")
        self.views[view["id"]] = view
        self.view_owners[view["id"]] = user_id
        self._last_view[user_id] = view["id"]

    def _open_modal(self, user_id: str, parsed: JSONDict) -> JSONDict:
        view_id = self._new_view_id()
        view = self._build_view(parsed, view_id=view_id, root_view_id=view_id, previous_view_id=None)
        self._register_view(user_id, view)
        for old in self.modal_stacks.get(user_id, []):  # a new root replaces whatever was open
            old_view = self.views.pop(old, None)
            if old_view is not None:
                self.closed_views[old] = old_view
        self.modal_stacks[user_id] = [view_id]
        return view


# ---------------------------------------------------------------------- helpers


def _mimetype(name: str) -> str:
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return {
        "png": "image/png",
        "jpg": "image/jpeg",
        "jpeg": "image/jpeg",
        "pdf": "application/pdf",
        "csv": "text/csv",
        "json": "application/json",
        "txt": "text/plain",
    }.get(ext, "application/octet-stream")


def _tz_info(tz: str) -> tuple[int, str]:
    try:
        zone = zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return 0, tz
    now = dt.datetime.now(zone)
    offset = now.utcoffset()
    return (int(offset.total_seconds()) if offset is not None else 0), (now.tzname() or tz)


async def _read_params(request: Request) -> JSONDict:
    """Merge query string and body (JSON, form or multipart), like Slack accepts them."""
    params: JSONDict = {}
    for key, value in request.query_params.multi_items():
        params[key] = value
    if request.method != "POST":
        return params
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = await request.body()
    if not body.strip():
        return params
    if content_type == "application/json":
        try:
            data = json.loads(body)
        except ValueError as exc:
            raise _ApiError("invalid_json") from exc
        if not isinstance(data, dict):
            raise _ApiError("json_not_object")
        params.update(data)
    elif content_type == "multipart/form-data":
        form = await request.form()
        for key, item in form.multi_items():
            if isinstance(item, str):
                params[key] = item
    else:
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _ApiError("invalid_form_data") from exc
        for key, value in urllib.parse.parse_qsl(text, keep_blank_values=True):
            params[key] = value
    return params


def _parse_response_body(content_type: str, raw: bytes) -> JSONDict:
    ctype = content_type.split(";")[0].strip().lower()
    if ctype == "application/x-www-form-urlencoded":
        form = dict(urllib.parse.parse_qsl(raw.decode("utf-8"), keep_blank_values=True))
        if "payload" in form:
            raw = form["payload"].encode("utf-8")
        else:
            return dict(form)
    data = json.loads(raw) if raw.strip() else {}
    if not isinstance(data, dict):
        raise ValueError("response body must be a JSON object")
    return data


def _normalize_blocks(raw: Any, rng: random.Random) -> list[JSONDict]:
    if raw is None or raw == "":
        return []
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError as exc:
            raise _ApiError("invalid_blocks_format") from exc
    if not isinstance(raw, list):
        raise _ApiError("invalid_blocks_format")
    if len(raw) > _MAX_MESSAGE_BLOCKS:
        raise _ApiError(
            "invalid_blocks", response_metadata={"messages": ["[ERROR] no more than 50 items allowed"]}
        )
    for i, block in enumerate(raw):
        if not isinstance(block, dict) or not isinstance(block.get("type"), str):
            raise _ApiError(
                "invalid_blocks",
                response_metadata={
                    "messages": [f"[ERROR] missing required field: type [json-pointer:/blocks/{i}]"]
                },
            )
    return _assign_ids(copy.deepcopy(raw), rng)


def _random_id(rng: random.Random, length: int) -> str:
    alphabet = string.ascii_letters + string.digits
    return "".join(rng.choice(alphabet) for _ in range(length))


def _block_elements(block: JSONDict) -> list[JSONDict]:
    btype = block.get("type")
    found: list[JSONDict] = []
    if btype == "actions":
        found = [e for e in block.get("elements") or [] if isinstance(e, dict)]
    elif btype == "section" and isinstance(block.get("accessory"), dict):
        found = [block["accessory"]]
    elif btype == "input" and isinstance(block.get("element"), dict):
        found = [block["element"]]
    return found


_NON_INTERACTIVE = frozenset({"image", "plain_text", "mrkdwn"})


def _assign_ids(blocks: list[JSONDict], rng: random.Random) -> list[JSONDict]:
    """Give blocks and interactive elements the random ids Slack assigns when they are omitted."""
    for block in blocks:
        if "block_id" not in block:
            block["block_id"] = _random_id(rng, 4)
        for element in _block_elements(block):
            if element.get("type") not in _NON_INTERACTIVE and "action_id" not in element:
                element["action_id"] = _random_id(rng, 5)
    return blocks


def _parse_metadata(raw: Any) -> JSONDict | None:
    if raw is None or raw == "":
        return None
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError as exc:
            raise _ApiError("invalid_metadata_format") from exc
    if not isinstance(raw, dict):
        raise _ApiError("invalid_metadata_format")
    if not isinstance(raw.get("event_type"), str) or not raw["event_type"]:
        raise _ApiError("invalid_metadata_schema")
    payload = raw.get("event_payload", {})
    if not isinstance(payload, dict):
        raise _ApiError("invalid_metadata_schema")
    return {"event_type": raw["event_type"], "event_payload": copy.deepcopy(payload)}


def _find_option(element: JSONDict, value: str) -> JSONDict | None:
    options: list[JSONDict] = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options.extend(group.get("options") or [])
    for option in options:
        if option.get("value") == value:
            return copy.deepcopy(option)
    return None


# ---------------------------------------------------------------------- the actor


class SlackActor:
    """Plays Slack toward the bot: signed slash commands, clicks, submissions and events."""

    user_agent = "Slackbot 1.0 (+https://api.slack.com/robots)"

    def __init__(
        self,
        standin: SlackStandIn,
        bot_url: str,
        signing_secret: str,
        command: str = "/ambassador",
        http: httpx.AsyncClient | None = None,
        *,
        timestamp_override: int | None = None,
        secret_override: str | None = None,
        ack_timeout: float = 3.0,
    ) -> None:
        self.standin = standin
        self.bot_url = bot_url.rstrip("/")
        self.signing_secret = signing_secret
        self.command = command
        self._own_http = http is None
        self.http = http if http is not None else httpx.AsyncClient(timeout=30.0)
        self.timestamp_override = timestamp_override
        self.secret_override = secret_override
        self.ack_timeout = ack_timeout
        self.last_trigger_id: str | None = None
        self.last_view_errors: dict[str, str] | None = None
        self.problems: list[str] = []
        self._event_seq = 0

    async def aclose(self) -> None:
        if self._own_http:
            await self.http.aclose()

    async def __aenter__(self) -> SlackActor:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    @property
    def events_url(self) -> str:
        return f"{self.bot_url}/slack/events"

    # ------------------------------------------------------------------ signing

    def sign(self, body: str, timestamp: int | None = None, secret: str | None = None) -> dict[str, str]:
        """The two Slack signature headers for ``body``."""
        ts = timestamp if timestamp is not None else int(time.time())
        key = (secret if secret is not None else self.signing_secret).encode("utf-8")
        digest = hmac.new(key, f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
        return {"X-Slack-Request-Timestamp": str(ts), "X-Slack-Signature": f"v0={digest}"}

    async def send_raw(
        self,
        body: str,
        content_type: str,
        *,
        timestamp_override: int | None = None,
        secret_override: str | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        """POST a signed body to the bot's ``/slack/events``."""
        ts = timestamp_override if timestamp_override is not None else self.timestamp_override
        secret = secret_override if secret_override is not None else self.secret_override
        headers = {"Content-Type": content_type, "User-Agent": self.user_agent, "Accept": "*/*"}
        headers.update(self.sign(body, ts, secret))
        if extra_headers:
            headers.update(extra_headers)
        started = time.monotonic()
        response = await self.http.post(self.events_url, content=body.encode("utf-8"), headers=headers)
        elapsed = time.monotonic() - started
        if elapsed > self.ack_timeout:
            self.problems.append(
                f"bot answered after {elapsed:.2f}s (Slack gives up after {self.ack_timeout:.0f}s)"
            )
        return response

    async def _send_payload(self, payload: JSONDict, **overrides: Any) -> httpx.Response:
        body = urllib.parse.urlencode({"payload": json.dumps(payload)})
        return await self.send_raw(body, "application/x-www-form-urlencoded", **overrides)

    def _user_obj(self, user_id: str) -> JSONDict:
        name = str(self.standin.users.get(user_id, {}).get("name", user_id))
        return {"id": user_id, "username": name, "name": name, "team_id": self.standin.team_id}

    def _team_obj(self) -> JSONDict:
        return {"id": self.standin.team_id, "domain": self.standin.team_domain}

    def _channel_name(self, channel_id: str) -> str:
        info = self.standin.channels.get(channel_id)
        if info is None:
            return "directmessage" if channel_id.startswith("D") else channel_id.lower()
        if info.get("is_im"):
            return "directmessage"
        return str(info.get("name", channel_id))

    # ------------------------------------------------------------------ interactions

    async def slash(
        self,
        user_id: str,
        text: str,
        channel_id: str = "C0GENERAL",
        *,
        timestamp_override: int | None = None,
        secret_override: str | None = None,
    ) -> httpx.Response:
        """Send a slash command exactly as Slack posts it (form-encoded)."""
        trigger_id = self.standin.issue_trigger_id(user_id)
        self.last_trigger_id = trigger_id
        fields = [
            ("token", self.standin.verification_token),
            ("team_id", self.standin.team_id),
            ("team_domain", self.standin.team_domain),
            ("channel_id", channel_id),
            ("channel_name", self._channel_name(channel_id)),
            ("user_id", user_id),
            ("user_name", str(self.standin.users.get(user_id, {}).get("name", user_id))),
            ("command", self.command),
            ("text", text),
            ("api_app_id", self.standin.app_id),
            ("is_enterprise_install", "false"),
            ("response_url", self.standin.make_response_url(channel_id, None, user_id)),
            ("trigger_id", trigger_id),
        ]
        return await self.send_raw(
            urllib.parse.urlencode(fields),
            "application/x-www-form-urlencoded",
            timestamp_override=timestamp_override,
            secret_override=secret_override,
        )

    async def click(
        self,
        user_id: str,
        channel_id: str | None = None,
        message_ts: str | None = None,
        action_id: str | None = None,
        value: str | None = None,
        block_id: str | None = None,
        *,
        view_id: str | None = None,
        timestamp_override: int | None = None,
        secret_override: str | None = None,
    ) -> httpx.Response:
        """Click a button (or pick an option) in a message, or in a view when ``view_id`` is given."""
        if not action_id:
            raise ValueError("click() needs an action_id")
        standin = self.standin
        trigger_id = standin.issue_trigger_id(user_id)
        self.last_trigger_id = trigger_id
        payload: JSONDict = {
            "type": "block_actions",
            "user": self._user_obj(user_id),
            "api_app_id": standin.app_id,
            "token": standin.verification_token,
        }
        if view_id is not None:
            view = standin.views.get(view_id)
            if view is None:
                raise ValueError(f"no open view {view_id!r} in the Slack stand-in")
            blocks = view.get("blocks") or []
            payload["container"] = {"type": "view", "view_id": view_id}
            payload["trigger_id"] = trigger_id
            payload["team"] = self._team_obj()
            payload["enterprise"] = None
            payload["is_enterprise_install"] = False
            payload["view"] = copy.deepcopy(view)
            where = f"view {view_id}"
        else:
            if channel_id is None or message_ts is None:
                raise ValueError("click() needs channel_id and message_ts, or view_id=")
            message = standin.find_message(channel_id, message_ts)
            ephemeral = standin._find_ephemeral(channel_id, message_ts) if message is None else None
            if message is None and ephemeral is None:
                raise ValueError(f"no message {message_ts!r} in channel {channel_id!r} of the Slack stand-in")
            source = message if message is not None else ephemeral
            assert source is not None
            blocks = source.get("blocks") or []
            payload["container"] = {
                "type": "message",
                "message_ts": message_ts,
                "channel_id": channel_id,
                "is_ephemeral": message is None,
            }
            payload["trigger_id"] = trigger_id
            payload["team"] = self._team_obj()
            payload["enterprise"] = None
            payload["is_enterprise_install"] = False
            payload["channel"] = {"id": channel_id, "name": self._channel_name(channel_id)}
            if message is not None:
                payload["message"] = copy.deepcopy(message)
            payload["state"] = {"values": {}}
            payload["response_url"] = standin.make_response_url(channel_id, message_ts, user_id)
            where = f"message {message_ts} in {channel_id}"
        payload["actions"] = [self._build_action(blocks, action_id, value, block_id, where)]
        return await self._send_payload(
            payload, timestamp_override=timestamp_override, secret_override=secret_override
        )

    def _build_action(
        self, blocks: list[JSONDict], action_id: str, value: str | None, block_id: str | None, where: str
    ) -> JSONDict:
        for block in blocks:
            if block_id is not None and block.get("block_id") != block_id:
                continue
            for element in _block_elements(block):
                if element.get("action_id") != action_id:
                    continue
                etype = str(element.get("type"))
                action: JSONDict = {
                    "action_id": action_id,
                    "block_id": block.get("block_id"),
                }
                if etype == "button":
                    action["text"] = copy.deepcopy(element.get("text"))
                    chosen = value if value is not None else element.get("value")
                    if chosen is not None:
                        action["value"] = chosen
                    if "style" in element:
                        action["style"] = element["style"]
                    action["type"] = "button"
                elif etype in _SELECT_TYPES:
                    if value is None:
                        raise ValueError(f"{etype} {action_id!r} needs value= (the option to pick)")
                    option = _find_option(element, value)
                    if option is None:
                        raise ValueError(f"{etype} {action_id!r} in {where} has no option {value!r}")
                    action["selected_option"] = option
                    action["type"] = etype
                    if "placeholder" in element:
                        action["placeholder"] = copy.deepcopy(element["placeholder"])
                else:
                    action["type"] = etype
                    if value is not None:
                        action["value"] = value
                action["action_ts"] = f"{time.time():.6f}"
                return action
        raise ValueError(f"no element with action_id {action_id!r} in {where}")

    async def submit_view(
        self,
        user_id: str,
        view_id: str,
        values: dict[str, dict[str, Any]],
        *,
        timestamp_override: int | None = None,
        secret_override: str | None = None,
    ) -> httpx.Response:
        """Submit a modal with ``values[block_id][action_id] = value`` and apply the bot's answer."""
        standin = self.standin
        view = standin.views.get(view_id)
        if view is None:
            raise ValueError(f"no open view {view_id!r} in the Slack stand-in")
        state = self._build_state(view, values)
        submitted = copy.deepcopy(view)
        submitted["state"] = {"values": state}
        trigger_id = standin.issue_trigger_id(user_id)
        self.last_trigger_id = trigger_id
        payload: JSONDict = {
            "type": "view_submission",
            "team": self._team_obj(),
            "user": self._user_obj(user_id),
            "api_app_id": standin.app_id,
            "token": standin.verification_token,
            "trigger_id": trigger_id,
            "view": submitted,
            "response_urls": [],
            "is_enterprise_install": False,
            "enterprise": None,
        }
        response = await self._send_payload(
            payload, timestamp_override=timestamp_override, secret_override=secret_override
        )
        self.last_view_errors = None
        if response.status_code != 200:
            self.problems.append(f"view_submission answered HTTP {response.status_code}; modal stays open")
            return response
        text = response.text.strip()
        if not text:
            standin.remove_view(view_id)
            return response
        try:
            answer = json.loads(text)
        except ValueError:
            self.problems.append("view_submission answer is not JSON; modal stays open")
            return response
        if not isinstance(answer, dict):
            self.problems.append("view_submission answer is not a JSON object; modal stays open")
            return response
        action = answer.get("response_action")
        try:
            if not answer or action is None:
                standin.remove_view(view_id)
            elif action == "errors":
                errors = answer.get("errors")
                if not isinstance(errors, dict) or not errors:
                    self.problems.append("response_action errors without an errors object")
                else:
                    self.last_view_errors = {str(k): str(v) for k, v in errors.items()}
                    input_ids = {
                        b.get("block_id") for b in view.get("blocks") or [] if b.get("type") == "input"
                    }
                    unknown = sorted(set(self.last_view_errors) - input_ids)
                    if unknown:
                        self.problems.append(f"errors for unknown input block_ids {unknown}")
            elif action == "update":
                standin.apply_view_update(view_id, answer.get("view"))
            elif action == "push":
                standin.apply_view_push(user_id, answer.get("view"))
            elif action == "clear":
                standin.clear_views(user_id)
            else:
                self.problems.append(f"unknown response_action {action!r}")
        except _ApiError as exc:
            self.problems.append(f"response_action {action!r} rejected by Slack: {exc.error} {exc.extra}")
        return response

    def _build_state(self, view: JSONDict, values: dict[str, dict[str, Any]]) -> JSONDict:
        inputs: dict[tuple[str, str], tuple[JSONDict, bool]] = {}
        for block in view.get("blocks") or []:
            if block.get("type") != "input":
                continue
            element = block.get("element")
            if isinstance(element, dict):
                key = (str(block.get("block_id")), str(element.get("action_id")))
                inputs[key] = (element, bool(block.get("optional", False)))
        for block_id, by_action in values.items():
            for action_id in by_action:
                if (block_id, action_id) not in inputs:
                    raise ValueError(f"view {view.get('id')} has no input {block_id}/{action_id}")
        state: JSONDict = {}
        for (block_id, action_id), (element, optional) in inputs.items():
            given = values.get(block_id, {})
            value = given.get(action_id) if action_id in given else None
            if (value is None or value == "" or value == []) and not optional:
                raise ValueError(f"required input {block_id}/{action_id} is empty; Slack would not submit")
            state.setdefault(block_id, {})[action_id] = _state_value(element, value)
        return state

    def form_view_inputs(self, view_id: str) -> list[ViewInput]:
        """The inputs of a view in order, to prompt a human for each."""
        view = self.standin.views.get(view_id)
        if view is None:
            raise ValueError(f"no open view {view_id!r} in the Slack stand-in")
        out: list[ViewInput] = []
        for block in view.get("blocks") or []:
            if block.get("type") != "input" or not isinstance(block.get("element"), dict):
                continue
            element = block["element"]
            out.append(
                ViewInput(
                    block_id=str(block.get("block_id")),
                    action_id=str(element.get("action_id")),
                    element_type=str(element.get("type")),
                    label=_plain_text(block.get("label")),
                    optional=bool(block.get("optional", False)),
                )
            )
        return out

    def input_options(self, view_id: str, block_id: str) -> list[tuple[str, str]]:
        """(value, text) choices of a select/radio/checkbox input, for prompting."""
        view = self.standin.views.get(view_id)
        if view is None:
            raise ValueError(f"no open view {view_id!r} in the Slack stand-in")
        for block in view.get("blocks") or []:
            if block.get("block_id") == block_id and isinstance(block.get("element"), dict):
                element = block["element"]
                options: list[JSONDict] = list(element.get("options") or [])
                for group in element.get("option_groups") or []:
                    options.extend(group.get("options") or [])
                return [(str(o.get("value")), _plain_text(o.get("text"))) for o in options]
        raise ValueError(f"view {view_id} has no input block {block_id!r}")

    async def close_view(self, user_id: str, view_id: str) -> httpx.Response | None:
        """The user dismisses a modal; sends ``view_closed`` if the view asked for it."""
        view = self.standin.views.get(view_id)
        if view is None:
            raise ValueError(f"no open view {view_id!r} in the Slack stand-in")
        response: httpx.Response | None = None
        if view.get("notify_on_close"):
            payload: JSONDict = {
                "type": "view_closed",
                "team": self._team_obj(),
                "user": self._user_obj(user_id),
                "api_app_id": self.standin.app_id,
                "token": self.standin.verification_token,
                "view": copy.deepcopy(view),
                "is_cleared": False,
                "is_enterprise_install": False,
                "enterprise": None,
            }
            response = await self._send_payload(payload)
        self.standin.remove_view(view_id)
        return response

    # ------------------------------------------------------------------ Events API

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
        return await self.send_raw(
            json.dumps(envelope),
            "application/json",
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
        return await self.send_raw(json.dumps(body), "application/json")


def _state_value(element: JSONDict, value: Any) -> JSONDict:
    etype = str(element.get("type"))
    out: JSONDict = {"type": etype}
    if etype in _SELECT_TYPES:
        if value is None or value == "":
            out["selected_option"] = None
        else:
            option = _find_option(element, str(value))
            if option is None and etype != "external_select":
                raise ValueError(f"{etype} {element.get('action_id')!r} has no option {value!r}")
            out["selected_option"] = option or {
                "text": {"type": "plain_text", "text": str(value)},
                "value": str(value),
            }
    elif etype in _MULTI_SELECT_TYPES:
        chosen = [] if value is None else ([value] if isinstance(value, str) else list(value))
        picked: list[JSONDict] = []
        for item in chosen:
            option = _find_option(element, str(item))
            if option is None and etype != "multi_external_select":
                raise ValueError(f"{etype} {element.get('action_id')!r} has no option {item!r}")
            picked.append(option or {"text": {"type": "plain_text", "text": str(item)}, "value": str(item)})
        out["selected_options"] = picked
    elif etype == "datepicker":
        out["selected_date"] = value
    elif etype == "timepicker":
        out["selected_time"] = value
    elif etype == "users_select":
        out["selected_user"] = value
    elif etype == "multi_users_select":
        out["selected_users"] = [] if value is None else ([value] if isinstance(value, str) else list(value))
    elif etype == "conversations_select":
        out["selected_conversation"] = value
    elif etype == "channels_select":
        out["selected_channel"] = value
    elif etype == "number_input":
        out["value"] = None if value is None else str(value)
    elif etype == "file_input":
        # Files the person attached: given as file objects (dicts) or as bare file names.
        chosen = [] if value is None else ([value] if isinstance(value, (str, dict)) else list(value))
        out["files"] = [
            dict(item)
            if isinstance(item, dict)
            else {
                "id": "F" + hashlib.sha1(str(item).encode(), usedforsecurity=False).hexdigest()[:10].upper(),
                "name": str(item),
                "title": str(item),
            }
            for item in chosen
        ]
    else:  # plain_text_input, email_text_input, url_text_input, rich text stays simple
        out["value"] = value
    return out
