"""Response URLs as Slack keeps them: each slash command and interaction carries one, usable up
to five times within 30 minutes (https://api.slack.com/interactivity/handling#message_responses);
a posted answer replaces or deletes the original message (``replace_original``,
``delete_original``), is posted in the channel (``response_type: in_channel``) or shown only to
the person (ephemeral, the default). Unknown or used-up URLs answer 404 ``no_active_hooks`` /
``used_url``, a bad body 400 ``invalid_payload``, a body without content ``no_text``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from bot.sandbox.slack import blockkit
from bot.sandbox.slack.common import (
    RESPONSE_URL_MAX_USES,
    ApiError,
    JSONDict,
    ResponseUrl,
    parse_response_body,
    truthy,
)

if TYPE_CHECKING:
    from bot.sandbox.slack.standin import SlackStandIn

__all__ = ["ResponseUrls", "handle_response_url"]


class ResponseUrls:
    """The response URLs of ``SlackStandIn`` (a mixin: the stand-in holds the state); what a
    POST to one does is `handle_response_url`."""

    base_url: str
    ephemerals: list[JSONDict]
    _response_urls: dict[int, ResponseUrl]
    _response_seq: int

    def make_response_url(
        self, channel: str | None = None, ts: str | None = None, user: str | None = None
    ) -> str:
        """A response URL; tie it to a message (``channel``, ``ts``) for replace/delete_original."""
        if not self.base_url:
            raise RuntimeError("SlackStandIn.base_url is not set (use `async with standin.serve()`)")
        self._response_seq += 1
        self._response_urls[self._response_seq] = ResponseUrl(self._response_seq, channel, ts, user)
        return f"{self.base_url}/_standin/response/{self._response_seq}"

    def _find_ephemeral(self, channel: str, ts: str) -> JSONDict | None:
        for eph in self.ephemerals:
            if eph.get("channel") == channel and eph.get("message_ts") == ts:
                return eph
        return None


async def handle_response_url(s: SlackStandIn, request: Request) -> Response:
    """POST to a response URL (``/_standin/response/<id>``)."""
    if s.down:
        return PlainTextResponse("Service Unavailable", status_code=503)
    try:
        url_id = int(request.path_params["url_id"])
    except ValueError:
        return PlainTextResponse("no_active_hooks", status_code=404)
    entry = s._response_urls.get(url_id)
    if entry is None:
        return PlainTextResponse("no_active_hooks", status_code=404)
    if entry.uses >= RESPONSE_URL_MAX_USES:
        return PlainTextResponse("used_url", status_code=404)
    raw = await request.body()
    try:
        body = parse_response_body(request.headers.get("content-type", ""), raw)
    except ValueError:
        return PlainTextResponse("invalid_payload", status_code=400)
    entry.uses += 1
    record = dict(body)
    record["url_id"] = url_id
    s.responses.append(record)
    try:
        _apply_response(s, entry, body)
    except ApiError as exc:
        return PlainTextResponse(exc.error, status_code=400)
    return PlainTextResponse("ok")


def _apply_response(s: SlackStandIn, entry: ResponseUrl, body: JSONDict) -> None:
    target: JSONDict | None = None
    if entry.channel is not None and entry.ts is not None:
        target = s.find_message(entry.channel, entry.ts) or s._find_ephemeral(entry.channel, entry.ts)
    has_content = "text" in body or "blocks" in body
    if truthy(body.get("delete_original")):
        if target is not None and entry.channel is not None:
            msgs = s.messages.get(entry.channel, [])
            if target in msgs:
                msgs.remove(target)
            elif target in s.ephemerals:
                s.ephemerals.remove(target)
        return
    if not has_content:
        raise ApiError("no_text")
    blocks = blockkit.normalize_blocks(body.get("blocks"), s._rng)
    text = str(body.get("text", ""))
    if truthy(body.get("replace_original")) and target is not None:
        target["text"] = text
        target["blocks"] = blocks
        return
    if body.get("response_type") == "in_channel" and entry.channel is not None:
        channel_id = s._resolve_channel(entry.channel)
        s._store_bot_message(channel_id, text, blocks, None, body.get("thread_ts"))
        return
    s.ephemerals.append(
        {
            "channel": entry.channel,
            "user": entry.user,
            "text": text,
            "blocks": blocks,
            "message_ts": s._next_ts(),
            "source": "response_url",
        }
    )
