"""chat.* methods: post, update, delete and ephemeral messages; each method cites its page on
https://api.slack.com/methods."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING

from bot.sandbox.slack import blockkit
from bot.sandbox.slack.common import MAX_TEXT_LEN, ApiError, JSONDict, parse_metadata

if TYPE_CHECKING:
    from bot.sandbox.slack.standin import SlackStandIn


def _channel(s: SlackStandIn, params: JSONDict) -> str:
    """The ``channel`` argument resolved (an id, a ``#name`` or a user id for the DM); every chat
    method answers ``channel_not_found`` without one."""
    channel = params.get("channel")
    if not channel:
        raise ApiError("channel_not_found")
    return s._resolve_channel(str(channel))


def _own_message(s: SlackStandIn, channel_id: str, ts: object, refusal: str) -> JSONDict:
    """The bot's message at ``ts``: ``message_not_found``, or ``refusal`` for someone else's."""
    msg = s.find_message(channel_id, str(ts or ""))
    if msg is None:
        raise ApiError("message_not_found")
    if msg.get("user") != s.bot_user_id:
        raise ApiError(refusal)
    return msg


def chat_post_message(s: SlackStandIn, params: JSONDict) -> JSONDict:
    """https://api.slack.com/methods/chat.postMessage"""
    channel_id = _channel(s, params)
    s.check_member(channel_id)  # "not_in_channel": the bot has no chat:write.public
    s._take_post_token(channel_id)
    text, blocks = s._message_content(params)
    metadata = parse_metadata(params.get("metadata"))
    thread_ts = params.get("thread_ts") or None
    msg = s._store_bot_message(channel_id, text, blocks, metadata, thread_ts)
    return {"ok": True, "channel": channel_id, "ts": msg["ts"], "message": copy.deepcopy(msg)}


def chat_update(s: SlackStandIn, params: JSONDict) -> JSONDict:
    """https://api.slack.com/methods/chat.update"""
    if params.get("channel") and not params.get("ts"):  # refused before the channel is looked up
        raise ApiError("message_not_found")
    channel_id = _channel(s, params)
    msg = _own_message(s, channel_id, params.get("ts"), "cant_update_message")
    if "text" not in params and "blocks" not in params and "attachments" not in params:
        raise ApiError("no_text")
    if "text" in params:
        msg["text"] = str(params.get("text") or "")
        if len(msg["text"]) > MAX_TEXT_LEN:
            raise ApiError("msg_too_long")
    if "blocks" in params:
        msg["blocks"] = blockkit.normalize_blocks(params.get("blocks"), s._rng)
    if params.get("metadata"):
        meta = parse_metadata(params.get("metadata"))
        if meta is not None:
            msg["metadata"] = meta
    msg["edited"] = {"user": s.bot_user_id, "ts": s._next_ts()}
    return {
        "ok": True,
        "channel": channel_id,
        "ts": msg["ts"],
        "text": msg.get("text", ""),
        "message": copy.deepcopy(msg),
    }


def chat_delete(s: SlackStandIn, params: JSONDict) -> JSONDict:
    """https://api.slack.com/methods/chat.delete"""
    channel_id = _channel(s, params)
    msg = _own_message(s, channel_id, params.get("ts"), "cant_delete_message")
    s.messages[channel_id].remove(msg)
    return {"ok": True, "channel": channel_id, "ts": msg["ts"]}


def chat_post_ephemeral(s: SlackStandIn, params: JSONDict) -> JSONDict:
    """https://api.slack.com/methods/chat.postEphemeral"""
    user = params.get("user")
    channel_id = _channel(s, params)
    s.check_member(channel_id)  # "not_in_channel" on https://api.slack.com/methods/chat.postEphemeral
    if not user or str(user) not in s.users:
        raise ApiError("user_not_in_channel")
    text, blocks = s._message_content(params)
    message_ts = s._next_ts()
    s.ephemerals.append(
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
